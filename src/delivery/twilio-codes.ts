/**
 * Twilio error codes (https://www.twilio.com/docs/api/errors) mapped to delivery reasons.
 * REST errors (2xxxx, 13xxx) come back from the Messages and Calls APIs; 30xxx codes come in
 * message status callbacks. Codes not listed fall back to the HTTP status (REST) or to
 * `provider_error` (callbacks): a number is only called permanently unreachable when Twilio
 * says so, because that stops every other provider from trying. @internal
 * @module
 */
import type { DeliveryError } from '../ports/sender';
import { type DeliveryReason, deliveryError } from './errors';

export const twilioCodes: Readonly<Record<number, DeliveryReason>> = {
  // Authentication and account
  20003: 'provider_auth', // Authentication failure (401)
  20005: 'provider_config', // Account not active
  20008: 'provider_config', // Resource not accessible with Test Account Credentials
  20404: 'provider_config', // Resource not found (wrong Account SID or path)
  20429: 'throttled', // Too Many Requests
  20500: 'server_error', // Internal Server Error
  20503: 'server_error', // Service unavailable
  // Messages API
  21211: 'invalid_number', // Invalid 'To' Phone Number
  21217: 'invalid_number', // Phone number does not appear to be valid (calls)
  21215: 'region_not_permitted', // Geo permissions: account not authorized to call this number
  21216: 'provider_config', // Account not allowed to call this number (premium)
  21401: 'provider_rejected', // Invalid phone number (To or From)
  21408: 'region_not_permitted', // Permission to send an SMS has not been enabled for the region
  21602: 'provider_rejected', // Message body is required
  21603: 'provider_config', // A 'From' or 'MessagingServiceSid' parameter is required
  21604: 'provider_rejected', // A 'To' phone number is required
  21606: 'provider_config', // 'From' is not a valid message-capable Twilio number
  21608: 'provider_config', // Trial account: unverified 'To' number
  21610: 'unsubscribed', // Attempt to send to unsubscribed recipient (STOP)
  21612: 'unroutable', // 'To' not reachable via SMS from this 'From'
  21614: 'not_mobile', // 'To' number is not a valid mobile number
  21617: 'provider_rejected', // Body exceeds the 1600 character limit
  21635: 'not_mobile', // 'To' number cannot be a landline
  21659: 'provider_config', // 'From' is not a Twilio phone number or short code
  13223: 'invalid_number', // Dial: invalid phone number format
  13224: 'invalid_number', // Dial: Twilio does not support calling this number or it is invalid
  // Delivery (status callbacks)
  30001: 'throttled', // Queue overflow
  30002: 'provider_config', // Account suspended
  30003: 'unreachable', // Unreachable destination handset
  30004: 'blocked', // Message blocked
  30005: 'invalid_number', // Unknown destination handset
  30006: 'not_mobile', // Landline or unreachable carrier
  30007: 'filtered', // Message filtered (carrier violation)
  30008: 'provider_error', // Unknown error
  30010: 'provider_config', // Message price exceeds max price
  30032: 'provider_config', // Toll-free number has not been verified
  30034: 'provider_config', // US A2P 10DLC: message from an unregistered number
  30410: 'server_error', // Provider timeout error
  // WhatsApp (Messages API with whatsapp: addresses, and their status callbacks)
  21656: 'provider_rejected', // ContentVariables not valid
  63003: 'not_on_whatsapp', // Channel could not find To address (no WhatsApp account)
  63005: 'provider_rejected', // Channel did not accept the content
  63007: 'provider_config', // No WhatsApp sender for the From address
  63013: 'provider_config', // Channel policy violation (account)
  63016: 'provider_rejected', // Free-form message outside the 24 hour window
  63018: 'throttled', // Channel rate limit exceeded
  63024: 'not_on_whatsapp', // Invalid message recipient (WhatsApp: receiver incapable)
  63027: 'provider_config', // Template does not exist for the language
  63028: 'provider_config', // Template parameter count mismatch
  63032: 'filtered', // User's number is part of an experiment
  63049: 'filtered', // Meta chose not to deliver
  63112: 'provider_config', // Meta disabled the WhatsApp Business Account
};

/** The error codes that also mean "this person opted out" (recorded in a consent ledger). */
export const TWILIO_OPT_OUT_CODES: ReadonlySet<number> = new Set([21610]);

/** A Twilio error code as a typed delivery error, or `undefined` when the code is unknown. */
export function twilioCodeError(
  code: number,
  extra: { retryAfterMs?: number } = {},
): DeliveryError | undefined {
  const reason = twilioCodes[code];
  if (reason === undefined) return undefined;
  return deliveryError(reason, { provider: 'twilio', providerCode: code, ...extra });
}
