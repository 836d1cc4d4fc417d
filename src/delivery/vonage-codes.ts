/**
 * Vonage SMS API codes mapped to delivery reasons: the `status` of each entry of a send
 * response (https://developer.vonage.com/api-errors/sms) and the `err-code` of delivery
 * receipts. @internal
 * @module
 */
import type { DeliveryError } from '../ports/sender';
import { type DeliveryReason, deliveryError } from './errors';

/** Send response `messages[].status` (HTTP 200 even when it is an error). */
export const vonageSendStatus: Readonly<Record<string, DeliveryReason>> = {
  '1': 'throttled', // Throttled
  '2': 'provider_rejected', // Missing parameters
  '3': 'provider_rejected', // Invalid parameters
  '4': 'provider_auth', // Invalid credentials
  '5': 'server_error', // Internal error
  // "Invalid message: unable to process, e.g. an unrecognized number prefix". Vonage could
  // not route it; another provider may, so this is not treated as a permanent number error.
  '6': 'unroutable',
  '7': 'blocked', // Number barred
  '8': 'provider_config', // Partner account barred (suspended)
  '9': 'provider_config', // Partner quota violation (no credit)
  '10': 'throttled', // Too many existing binds: back off and retry
  '11': 'provider_config', // Account not enabled for HTTP
  '12': 'provider_rejected', // Message too long
  '14': 'provider_auth', // Invalid signature
  '15': 'provider_config', // Invalid sender address
  '22': 'provider_config', // Invalid network code
  '23': 'provider_config', // Invalid callback URL
  '29': 'provider_config', // Non-whitelisted destination (demo account)
  '32': 'provider_auth', // Signature and API secret disallowed
  '33': 'invalid_number', // Number de-activated
};

/** Delivery receipt `err-code` (0 = delivered). */
export const vonageReceiptCodes: Readonly<Record<string, DeliveryReason>> = {
  '1': 'provider_error', // Unknown
  '2': 'unreachable', // Absent subscriber, temporary
  '3': 'invalid_number', // Absent subscriber, permanent
  '4': 'blocked', // Call barred by user
  '5': 'unroutable', // Portability error
  '6': 'filtered', // Anti-spam rejection
  '7': 'unreachable', // Handset busy
  '8': 'unreachable', // Network error
  '9': 'invalid_number', // Illegal number
  '10': 'provider_rejected', // Illegal message
  '11': 'unroutable', // Unroutable
  '12': 'unreachable', // Destination unreachable
  '13': 'blocked', // Subscriber age restriction
  '14': 'blocked', // Number blocked by carrier
  '15': 'unreachable', // Prepaid insufficient funds
  '16': 'throttled', // Gateway quota exceeded
  '50': 'filtered', // Entity filter
  '51': 'filtered', // Header filter
  '52': 'filtered', // Content filter
  '53': 'filtered', // Consent filter
  '54': 'filtered', // Regulation error
  '99': 'provider_error', // General error
};

/** A send-response status as a delivery error (`undefined` for `0`, success). */
export function vonageSendError(status: string): DeliveryError | undefined {
  if (status === '0') return undefined;
  return deliveryError(vonageSendStatus[status] ?? 'provider_error', {
    provider: 'vonage',
    providerCode: status,
  });
}

/** A receipt `err-code` as a delivery error (`undefined` for `0`). */
export function vonageReceiptError(code: string): DeliveryError | undefined {
  if (code === '0' || code === '') return undefined;
  return deliveryError(vonageReceiptCodes[code] ?? 'provider_error', {
    provider: 'vonage',
    providerCode: code,
  });
}
