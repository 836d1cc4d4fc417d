/**
 * The fields of an authenticated inbound message. A signed message is read only with
 * exactly one message id of the provider's shape and every field it reads present once
 * (else `invalid_request`): the id is what the duplicate check keys on, and a signature can
 * hold while the id is dropped (Twilio signs each distinct value of a repeated name once,
 * and `name + value` with no separator; Vonage's SMS API does not escape names, refused in
 * `validateVonageSignature`; test/adversary/inbound-replay.test.ts). @internal
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';

/** An inbound message, authenticated. */
export interface InboundMessage {
  readonly from: string;
  readonly text: string;
  readonly messageId?: string;
  /** Set for a message received over WhatsApp (absent: SMS). */
  readonly channel?: 'whatsapp';
}

/** An `invalid_request` refusal of an inbound message. */
export const invalid = (message: string) => err(verifyError('invalid_request', { message }));

/** Twilio's message SID (its docs: `SM` or `MM`, then 32 hex digits). */
export const TWILIO_MESSAGE_SID = /^(SM|MM)[0-9a-f]{32}$/;
/**
 * Vonage's SMS API message id: letters, digits and `-` (hex in practice). Not `_`, `&` or
 * `=`: Vonage signs those three alike in a value, so such an id could be rewritten into a
 * new one under the same signature.
 */
export const VONAGE_SMS_ID = /^[0-9A-Za-z-]{1,64}$/;
/** The Messages API's `message_uuid` (covered by the JWT's payload hash). */
export const VONAGE_MESSAGE_UUID = /^[0-9A-Za-z-]{1,128}$/;

/**
 * The fields a signed message is read from; `invalid_request` when one is repeated (a form
 * parses a repeated name as a list): each must be a single value, or absent.
 */
export function once(
  body: Record<string, unknown>,
  names: readonly string[],
): Result<Record<string, unknown>, VerifyError> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const v = Object.hasOwn(body, name) ? body[name] : undefined;
    if (Array.isArray(v)) return invalid(`The inbound message repeats \`${name}\`.`);
    out[name] = v;
  }
  return ok(out);
}

/** The message; a signed one (`id` given) must carry one id of the provider's shape. */
export function message(
  from: unknown,
  text: unknown,
  id: { readonly value: unknown; readonly shape: RegExp } | undefined,
  whatsapp = false,
): Result<InboundMessage, VerifyError> {
  if (typeof from !== 'string' || typeof text !== 'string') {
    return invalid('The inbound message has no sender or no text.');
  }
  const messageId = id?.value;
  if (id !== undefined && (typeof messageId !== 'string' || !id.shape.test(messageId))) {
    return invalid("The inbound message has no message id of the provider's shape.");
  }
  return ok({
    from,
    text,
    ...(typeof messageId === 'string' ? { messageId } : {}),
    ...(whatsapp ? { channel: 'whatsapp' as const } : {}),
  });
}
