/**
 * Channel fallback and consent consequences of a delivery failure: pure decisions the
 * verifier takes after a send or a delivery report. One table says which channel follows
 * which (WhatsApp → SMS → voice) and which policy field names the reasons that switch.
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
  /**
   * Permanent WhatsApp failures after which the verification switches to SMS automatically
   * (default `['not_on_whatsapp']`: the number has no WhatsApp account). `false` never
   * switches. Only permanent reasons have any effect, as for `voiceOn`.
   */
  readonly smsOn?: readonly DeliveryReason[] | false;
}

export const DEFAULT_VOICE_FALLBACK: readonly DeliveryReason[] = ['not_mobile'];
export const DEFAULT_SMS_FALLBACK: readonly DeliveryReason[] = ['not_on_whatsapp'];

/** A channel's automatic fallback: the channel tried next, the policy field, its default. */
interface Next {
  readonly to: Channel;
  readonly field: keyof FallbackPolicy;
  readonly defaults: readonly DeliveryReason[];
}

/**
 * Which channel follows which. Acyclic (every step moves towards voice, which has none), so a
 * chain of fallbacks ends after at most two switches.
 */
const NEXT: Readonly<Partial<Record<Channel, Next>>> = {
  whatsapp: { to: 'sms', field: 'smsOn', defaults: DEFAULT_SMS_FALLBACK },
  sms: { to: 'voice', field: 'voiceOn', defaults: DEFAULT_VOICE_FALLBACK },
};

const FIELDS = ['voiceOn', 'smsOn'] as const satisfies readonly (keyof FallbackPolicy)[];

/** The channel to try next after `error` on `channel`, or `undefined` to give up. */
export function fallbackChannel(
  channel: Channel,
  error: DeliveryError,
  policy: FallbackPolicy = {},
): Channel | undefined {
  const next = NEXT[channel];
  if (next === undefined || error.kind !== 'permanent') return undefined;
  const reasons = policy[next.field] ?? next.defaults;
  if (reasons === false) return undefined;
  return (reasons as readonly string[]).includes(error.reason) ? next.to : undefined;
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
    throw new TypeError('phoneproof: `delivery.fallback` must be an object { voiceOn, smsOn }.');
  }
  for (const field of FIELDS) {
    const v = policy[field];
    if (
      v !== undefined &&
      v !== false &&
      !(Array.isArray(v) && v.every((r) => typeof r === 'string'))
    ) {
      throw new TypeError(
        `phoneproof: \`delivery.fallback.${field}\` must be a list of reasons or false.`,
      );
    }
  }
  return policy;
}
