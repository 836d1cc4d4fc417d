/**
 * Twilio's WhatsApp addresses, `whatsapp:+15551234567`: the one place the prefix is read
 * (inbound `From`, status callback `To`). @internal
 * @module
 */

const PREFIX = 'whatsapp:';

/**
 * A Twilio `From` / `To`: the address without a `whatsapp:` prefix, and whether it had one.
 * Anything else (an SMS number, a missing or non-string field) is given back as it is.
 */
export function readTwilioAddress<T>(value: T): {
  readonly address: T | string;
  readonly whatsapp: boolean;
} {
  return typeof value === 'string' && value.startsWith(PREFIX)
    ? { address: value.slice(PREFIX.length), whatsapp: true }
    : { address: value, whatsapp: false };
}
