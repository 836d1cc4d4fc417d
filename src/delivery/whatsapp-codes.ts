/**
 * WhatsApp Cloud API error codes (Meta's Graph API error `code`, in a send's error reply or in
 * a `failed` status's `errors[]`) mapped to delivery reasons. Only Meta's statement that the
 * number has no WhatsApp (131026, "message undeliverable") is permanent: it stops every other
 * WhatsApp provider and lets the verifier fall back to SMS. Rate limits are retryable, token
 * and permission errors are credentials, template and account errors configuration. Codes not
 * listed follow the HTTP status (send) or are `provider_error` (status webhooks). @internal
 * @module
 */
import type { DeliveryError } from '../ports/sender';
import { type DeliveryReason, deliveryError } from './errors';

export const whatsappCodes: Readonly<Record<number, DeliveryReason>> = {
  // Graph API: authorization and throttling
  0: 'provider_auth', // AuthException
  1: 'server_error', // API Unknown
  2: 'server_error', // API Service (temporary)
  3: 'provider_auth', // API Method: capability or permissions
  4: 'throttled', // API Too Many Calls (app)
  10: 'provider_auth', // Permission denied
  100: 'provider_rejected', // Invalid parameter
  190: 'provider_auth', // Access token has expired or is invalid
  200: 'provider_auth', // API Permission (200-299)
  368: 'provider_config', // Temporarily blocked for policy violations
  80007: 'throttled', // Rate limit issues (WhatsApp Business Account)
  // Cloud API: throughput and messaging
  130429: 'throttled', // Rate limit hit (Cloud API throughput)
  130472: 'filtered', // User's number is part of an experiment
  131000: 'server_error', // Something went wrong
  131005: 'provider_auth', // Access denied
  131008: 'provider_rejected', // Required parameter is missing
  131009: 'provider_rejected', // Parameter value is not valid
  131016: 'server_error', // Service unavailable
  131021: 'provider_rejected', // Recipient cannot be sender
  131026: 'not_on_whatsapp', // Message undeliverable (no WhatsApp, old client, terms not accepted)
  131031: 'provider_config', // Business account has been locked
  131037: 'provider_config', // Display name needs approval
  131042: 'provider_config', // Business eligibility payment issue
  131045: 'provider_config', // Incorrect certificate (phone number not registered)
  131047: 'provider_rejected', // Re-engagement message (free-form outside the 24 h window)
  131048: 'filtered', // Spam rate limit hit
  131049: 'filtered', // Meta chose not to deliver (ecosystem engagement)
  131050: 'unsubscribed', // The user stopped marketing messages from this business
  131051: 'provider_rejected', // Unsupported message type
  131056: 'throttled', // (Business, consumer) pair rate limit hit
  131057: 'server_error', // Account in maintenance mode
  132000: 'provider_config', // Template parameter count mismatch
  132001: 'provider_config', // Template does not exist (name or language)
  132005: 'provider_config', // Translated template text too long
  132007: 'provider_config', // Template format character policy violated
  132012: 'provider_config', // Template parameter format mismatch
  132015: 'provider_config', // Template is paused (low quality)
  132016: 'provider_config', // Template is disabled
  133010: 'provider_config', // Phone number not registered
  135000: 'provider_rejected', // Generic user error
};

/** A Meta error code as a typed delivery error, or `undefined` when the code is unknown. */
export function whatsappCodeError(
  code: number,
  extra: { retryAfterMs?: number } = {},
): DeliveryError | undefined {
  const reason = whatsappCodes[code] ?? (code > 200 && code < 300 ? 'provider_auth' : undefined);
  if (reason === undefined) return undefined;
  return deliveryError(reason, { provider: 'whatsapp', providerCode: code, ...extra });
}
