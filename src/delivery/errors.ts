/**
 * Delivery failure reasons: one vocabulary for every provider, so retry, failover, fallback
 * and consent policy act on meaning, not on provider codes.
 *
 * - **Permanent** (the number cannot receive this; no retry, no failover): `invalid_number`,
 *   `not_mobile` (landline or other number that cannot take SMS), `not_on_whatsapp` (the
 *   number has no WhatsApp account), `blocked`, `unsubscribed`.
 * - **Retried at the same provider** with backoff: `network`, `timeout`, `server_error`,
 *   `throttled` (429, with the provider's Retry-After).
 * - **Failover only** (another provider may succeed, the same one will not by waiting):
 *   every other reason.
 * @module
 */
import type { DeliveryError } from '../ports/sender';

export const PERMANENT_REASONS = [
  'invalid_number',
  'not_mobile',
  'not_on_whatsapp',
  'blocked',
  'unsubscribed',
] as const;

export const RETRY_REASONS = ['network', 'timeout', 'server_error', 'throttled'] as const;

export const FAILOVER_REASONS = [
  /** Credentials refused (401, Vonage status 4/14). */
  'provider_auth',
  /** Account or sender misconfigured: unknown From, suspended account, no credit. */
  'provider_config',
  /** The provider refused the request as malformed. */
  'provider_rejected',
  /** The account may not send to this country (geo permissions). */
  'region_not_permitted',
  /** This sender cannot deliver on the requested channel. */
  'channel_unsupported',
  /** The provider has no route to the number. */
  'unroutable',
  /** The handset was off, busy or out of coverage (delivery reports). */
  'unreachable',
  /** A carrier or provider filter stopped the message. */
  'filtered',
  /** The failover chain skipped a provider whose circuit is open. */
  'circuit_open',
  /** Anything not understood. */
  'provider_error',
] as const;

export type PermanentReason = (typeof PERMANENT_REASONS)[number];
export type RetryReason = (typeof RETRY_REASONS)[number];
export type DeliveryReason = PermanentReason | RetryReason | (typeof FAILOVER_REASONS)[number];

const permanent = new Set<string>(PERMANENT_REASONS);
const retry = new Set<string>(RETRY_REASONS);

const descriptions: Readonly<Record<DeliveryReason, string>> = {
  invalid_number: 'the number is not valid',
  not_mobile: 'the number cannot receive SMS (landline or similar)',
  not_on_whatsapp: 'the number has no WhatsApp account',
  blocked: 'the number is blocked',
  unsubscribed: 'the number has opted out of messages from this sender',
  network: 'the provider could not be reached',
  timeout: 'the provider did not answer in time',
  server_error: 'the provider failed',
  throttled: 'the provider is rate limiting',
  provider_auth: 'the provider refused the credentials',
  provider_config: 'the provider account or sender is not set up for this message',
  provider_rejected: 'the provider refused the request',
  region_not_permitted: 'the account may not send to this country',
  channel_unsupported: 'this sender cannot deliver on this channel',
  unroutable: 'the provider has no route to this number',
  unreachable: 'the phone could not be reached',
  filtered: 'a carrier or provider filter stopped the message',
  circuit_open: 'the provider is marked down',
  provider_error: 'the provider reported an unknown error',
};

export interface DeliveryErrorExtra {
  readonly provider?: string;
  readonly providerCode?: string | number;
  readonly retryAfterMs?: number;
  /** Replaces the generated message (must not contain the code or the number). */
  readonly message?: string;
}

/**
 * Builds a typed `DeliveryError` whose kind follows from the reason. The message names the
 * provider and its code but never includes provider text, which may echo the number.
 */
export function deliveryError(
  reason: DeliveryReason,
  extra: DeliveryErrorExtra = {},
): DeliveryError {
  const who = extra.provider ? `${extra.provider}: ` : '';
  const code = extra.providerCode !== undefined ? ` (${extra.providerCode})` : '';
  return {
    kind: permanent.has(reason) ? 'permanent' : 'retryable',
    reason,
    message: extra.message ?? `${who}${descriptions[reason]}${code}.`,
    ...(extra.provider !== undefined ? { provider: extra.provider } : {}),
    ...(extra.providerCode !== undefined ? { providerCode: extra.providerCode } : {}),
    ...(extra.retryAfterMs !== undefined ? { retryAfterMs: extra.retryAfterMs } : {}),
  };
}

/** True for failures the same provider may get right by trying again after a wait. */
export function isRetryable(error: DeliveryError): boolean {
  return error.kind === 'retryable' && retry.has(error.reason);
}

/** True for failures no provider can fix (the number itself). */
export function isPermanent(error: DeliveryError): boolean {
  return error.kind === 'permanent';
}

/** A sender's rejection (a bug or an unexpected exception) as a retryable value. */
export function thrownError(e: unknown, provider?: string): DeliveryError {
  const name = e instanceof Error ? e.name : typeof e;
  return deliveryError('provider_error', {
    ...(provider !== undefined ? { provider } : {}),
    message: `${provider ? `${provider}: ` : ''}the sender threw ${name}.`,
  });
}
