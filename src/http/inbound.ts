/**
 * The inbound-SMS webhook's authentication: the route exists only when the app says how its
 * provider signs inbound messages, and a request is read only after its signature checks.
 *
 * - `{ twilio: { authToken, url } }`: Twilio's form-encoded inbound webhook, checked with
 *   `X-Twilio-Signature` (`src/delivery/twilio-signature.ts`); `From`, `Body`, `MessageSid`
 *   (a `From` of `whatsapp:+…` is a WhatsApp message).
 * - `{ vonage: { signatureSecret, numbers, method?, maxAgeMs? } }`: Vonage's SMS API inbound
 *   webhook (form or JSON, signed with `sig`; `msisdn`, `to`, `text`, `messageId`) or Messages
 *   API inbound webhook (JSON with an HS256 JWT; `from`, `to`, `text`, `message_uuid`;
 *   `channel` `sms` or `whatsapp`) (`src/delivery/vonage-signature.ts`). The secret is the
 *   account's, shared by every app on it, so a signed message is read only when its `to` is
 *   one of `numbers`.
 * - `{ unsafe: 'unauthenticated' }`: the former unsigned JSON `{ from, text }`, for an app
 *   that authenticates the route itself (e.g. in `authorize`, or on a private network).
 *
 * Unsigned or badly signed requests are `signature_invalid` (401) and reach nothing; a
 * signed one is read only with one message id of the provider's shape and each field it
 * reads present once (`./inbound-fields.ts`); a Twilio one only with documented names and
 * values of their shapes, so its unsigned boundaries cannot be moved
 * (`src/delivery/twilio-params.ts`). @internal
 * @module
 */
import { err, type Result } from 'neverthrow';
import type { WebhookParams } from '../delivery/report';
import { readTwilioAddress } from '../delivery/twilio-address';
import { extraParamsProblem, twilioParamsProblem } from '../delivery/twilio-params';
import { validateTwilioSignature } from '../delivery/twilio-signature';
import {
  jsonObject,
  VONAGE_SIGNATURE_METHODS,
  type VonageSignatureMethod,
  validateVonageJwt,
  validateVonageSignature,
} from '../delivery/vonage-signature';
import { type VerifyError, verifyError } from '../errors';
import {
  type InboundMessage,
  invalid,
  message,
  once,
  TWILIO_MESSAGE_SID,
  VONAGE_MESSAGE_UUID,
  VONAGE_SMS_ID,
} from './inbound-fields';

export type { InboundMessage } from './inbound-fields';

/** How the inbound-SMS webhook authenticates its requests (`inbound` of the HTTP options). */
export type InboundAuth =
  | {
      readonly twilio: {
        /** The account's auth token(s); a list accepts any (rotation). */
        readonly authToken: string | readonly string[];
        /**
         * The webhook's public URL exactly as configured at Twilio (Twilio signs it). Required:
         * a URL rebuilt from the request would let the client's `Host` header choose it, so a
         * message signed for another app on the same Twilio account would be accepted here.
         */
        readonly url: string;
        /**
         * Parameter names Twilio may add beyond the ones it documents (a request carrying an
         * unknown name is refused): read as free text, and each must sort after `From`.
         */
        readonly extraParams?: readonly string[];
      };
    }
  | {
      readonly vonage: {
        /** The account's signature secret(s) (dashboard → API settings); a list accepts any. */
        readonly signatureSecret: string | readonly string[];
        /**
         * The numbers this deployment receives on (E.164 `+447700900000` or Vonage's
         * `447700900000`). Required: the signature secret is the account's, so a message
         * signed for another app's number on the same account would otherwise be read here.
         */
        readonly numbers: readonly string[];
        /** The SMS API signing method chosen in the dashboard (default `sha256`). */
        readonly method?: VonageSignatureMethod;
        /** Largest age and clock skew of a signed request, ms (default 5 minutes). */
        readonly maxAgeMs?: number;
      };
    }
  | { readonly unsafe: 'unauthenticated' };

/** What the check needs from the request. */
export interface InboundRequest {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: unknown;
  readonly rawBody?: string | Uint8Array | undefined;
}

/** A phone number's digits (`+447700900000` or `447700900000`), or undefined if it is none. */
const digits = (x: unknown) =>
  typeof x === 'string' && /^\+?[1-9]\d{2,14}$/.test(x) ? x.replace(/^\+/, '') : undefined;

/** Whether a signed Vonage message was sent to one of this deployment's numbers. */
const toUs = (numbers: readonly string[], to: unknown) => {
  const d = digits(to);
  return d !== undefined && numbers.some((n) => digits(n) === d);
};

const secrets = (x: unknown) =>
  (typeof x === 'string' && x !== '') ||
  (Array.isArray(x) && x.length > 0 && x.every((s) => typeof s === 'string' && s !== ''));

/** What is wrong with an `inbound` option, or undefined when it is valid (or absent). */
function inboundProblem(x: unknown): string | undefined {
  if (x === undefined || x === false) return undefined;
  if (typeof x !== 'object' || x === null) return 'must be an object';
  const o = x as Record<string, unknown>;
  if (Object.keys(o).length !== 1) return 'names exactly one provider';
  if ('twilio' in o) {
    const t = o.twilio as Record<string, unknown> | undefined;
    if (!t || !secrets(t.authToken)) return 'needs twilio.authToken';
    const url = typeof t.url === 'string' && URL.canParse(t.url) ? new URL(t.url) : undefined;
    if (url?.protocol !== 'https:' && url?.protocol !== 'http:') {
      return "needs twilio.url, the webhook's public URL exactly as configured at Twilio (an absolute http: or https: URL; Twilio signs it)";
    }
    const extra = extraParamsProblem(t.extraParams);
    return extra === undefined ? undefined : `twilio.extraParams ${extra}`;
  }
  if ('vonage' in o) {
    const v = o.vonage as Record<string, unknown> | undefined;
    if (!v || !secrets(v.signatureSecret)) return 'needs vonage.signatureSecret';
    const n = v.numbers;
    if (!Array.isArray(n) || n.length === 0 || !n.every((x) => digits(x) !== undefined)) {
      return 'needs vonage.numbers, the numbers this deployment receives on (E.164 or digits only; the signature secret is shared by every app on the Vonage account)';
    }
    if (v.method !== undefined && !VONAGE_SIGNATURE_METHODS.includes(v.method as never)) {
      return `needs vonage.method to be one of ${VONAGE_SIGNATURE_METHODS.join(', ')}`;
    }
    if (
      v.maxAgeMs !== undefined &&
      (!Number.isSafeInteger(v.maxAgeMs) || (v.maxAgeMs as number) < 1000)
    ) {
      return 'needs vonage.maxAgeMs to be an integer number of ms (>= 1000)';
    }
    return undefined;
  }
  return o.unsafe === 'unauthenticated' ? undefined : 'names an unknown provider';
}

/** Throws a TypeError when `inbound` is not a valid `InboundAuth` (or `false`). */
export function validateInboundAuth(x: unknown): void {
  const why = inboundProblem(x);
  if (why === undefined) return;
  throw new TypeError(
    `phoneproof: \`inbound\` ${why}. Say how inbound messages are authenticated: { twilio: { authToken, url } }, { vonage: { signatureSecret, numbers } }, or { unsafe: 'unauthenticated' } when the app authenticates the route itself.`,
  );
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

const header = (h: InboundRequest['headers'], name: string) => {
  const v = h[name];
  return typeof v === 'string' ? v : undefined;
};

const unsigned = () => err(verifyError('signature_invalid'));

/** `+` in front of a number the provider sends without one (Vonage's `msisdn`). */
const e164 = (x: unknown) => (typeof x === 'string' && /^\d+$/.test(x) ? `+${x}` : x);

/**
 * Authenticates an inbound request and reads its message; `signature_invalid` when it is
 * not signed as configured, `invalid_request` when a signed request carries no message.
 */
export function inboundMessage(
  auth: InboundAuth,
  req: InboundRequest,
  now: number,
): Result<InboundMessage, VerifyError> {
  const body = req.body;
  if (!isObject(body))
    return 'unsafe' in auth ? invalid('The body must be an object.') : unsigned();
  if ('twilio' in auth) {
    const params = Object.fromEntries(
      Object.entries(body).filter(([, v]) => typeof v === 'string' || Array.isArray(v)),
    ) as Record<string, string | string[]>;
    const valid = validateTwilioSignature({
      authToken: auth.twilio.authToken,
      signature: header(req.headers, 'x-twilio-signature'),
      url: auth.twilio.url,
      params,
    });
    if (!valid) return unsigned();
    // Only the one split Twilio could have sent is read (the boundaries are not signed).
    const problem = twilioParamsProblem('inbound', body as WebhookParams, auth.twilio.extraParams);
    if (problem !== undefined) return invalid(`The signed inbound message ${problem}.`);
    return once(body, ['From', 'Body', 'MessageSid']).andThen((f) => {
      const sender = readTwilioAddress(f.From);
      const id = { value: f.MessageSid, shape: TWILIO_MESSAGE_SID };
      return message(sender.address, f.Body, id, sender.whatsapp);
    });
  }
  if ('vonage' in auth) {
    const v = auth.vonage;
    const check = {
      signatureSecret: v.signatureSecret,
      now,
      ...(v.maxAgeMs !== undefined ? { maxAgeMs: v.maxAgeMs } : {}),
    };
    const authorization = header(req.headers, 'authorization');
    if (authorization !== undefined) {
      const signed = validateVonageJwt({ ...check, authorization, body: req.rawBody });
      // Every field comes from the signed bytes, read as the JSON Vonage sends, never from the
      // body the request's own (unsigned) content type chose a parser for: the same bytes read
      // as a form could name another `to`, `from` or `text`.
      const m = signed ? jsonObject(req.rawBody) : undefined;
      if (m === undefined) return unsigned();
      if (m.channel !== undefined && m.channel !== 'sms' && m.channel !== 'whatsapp') {
        return invalid('Only SMS and WhatsApp inbound messages are read.');
      }
      if (!toUs(v.numbers, m.to)) return unsigned();
      const id = { value: m.message_uuid, shape: VONAGE_MESSAGE_UUID };
      return message(e164(m.from), m.text, id, m.channel === 'whatsapp');
    }
    const valid = validateVonageSignature({
      ...check,
      params: body,
      ...(v.method !== undefined ? { method: v.method } : {}),
    });
    if (!valid) return unsigned();
    return once(body, ['msisdn', 'to', 'text', 'messageId']).andThen((f) => {
      if (!toUs(v.numbers, f.to)) return unsigned();
      const id = { value: f.messageId, shape: VONAGE_SMS_ID };
      return message(e164(f.msisdn), f.text, id);
    });
  }
  return message(body.from, body.text, undefined, body.channel === 'whatsapp');
}
