/**
 * Twilio's WhatsApp addresses, `whatsapp:+15551234567`: the one place the prefix is read
 * (inbound `From`, status callback `To`) and written (the sender's `To` and `From`). @internal
 * @module
 */

const PREFIX = 'whatsapp:';

/** A number as Twilio addresses it on WhatsApp. */
export const twilioWhatsAppAddress = (number: string) => `${PREFIX}${number}`;

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
