/**
 * Channel fallback and consent consequences of a delivery failure: pure decisions the
 * verifier takes after a send or a delivery report.
 * @module
 */
import type { Channel, DeliveryError } from '../ports/sender';
import type { DeliveryReason } from './errors';

export interface FallbackPolicy {
  /**
   * Permanent SMS failures after which the verification switches to a voice call
   * automatically (default `['not_mobile']`: a landline cannot take SMS but can take a
   * call). `false` never switches. Only permanent reasons have any effect: a retryable one is
   * the failover chain's business.
   */
  readonly voiceOn?: readonly DeliveryReason[] | false;
}

export const DEFAULT_VOICE_FALLBACK: readonly DeliveryReason[] = ['not_mobile'];

/** The channel to try next after `error` on `channel`, or `undefined` to give up. */
export function fallbackChannel(
  channel: Channel,
  error: DeliveryError,
  policy: FallbackPolicy = {},
): Channel | undefined {
  if (channel !== 'sms' || error.kind !== 'permanent') return undefined;
  const reasons = policy.voiceOn ?? DEFAULT_VOICE_FALLBACK;
  if (reasons === false) return undefined;
  return (reasons as readonly string[]).includes(error.reason) ? 'voice' : undefined;
}

/**
 * True when the failure means the person opted out with the provider (Twilio 21610: they
 * replied STOP), so the application's consent ledger should record an opt-out for the number.
 */
export function isOptOut(error: DeliveryError): boolean {
  return error.reason === 'unsubscribed';
}

/** Validates a fallback policy; throws (misconfiguration) on a malformed one. */
export function resolveFallback(policy: FallbackPolicy | undefined): FallbackPolicy {
  if (policy === undefined) return {};
  if (typeof policy !== 'object' || policy === null) {
    throw new TypeError('phoneproof: `delivery.fallback` must be an object { voiceOn }.');
  }
  const v = policy.voiceOn;
  if (
    v !== undefined &&
    v !== false &&
    !(Array.isArray(v) && v.every((r) => typeof r === 'string'))
  ) {
    throw new TypeError(
      'phoneproof: `delivery.fallback.voiceOn` must be a list of reasons or false.',
    );
  }
  return policy;
}
