/**
 * Vonage delivery webhooks, authenticated then parsed in one call (the Vonage counterparts of
 * `twilioStatusWebhook`), so that a route built the documented way checks the signature by
 * construction. Framework-free: pass the headers and the raw body (or the parameters).
 *
 * - `vonageStatusWebhook`: Messages API statuses (SMS, WhatsApp). `Authorization: Bearer`
 *   HS256 JWT under the signature secret, `iat` within `maxAgeMs`, `payload_hash` = SHA-256
 *   of the raw body (`vonageJwtClaims`, the check the inbound webhook makes); a JSON content
 *   type; the status is read from the signed bytes (`jsonObject`), never from a body a
 *   framework parsed by the request's own (unsigned) content type.
 * - `vonageCallWebhook`: Voice API call events, the same JWT (Voice "signed callbacks", turned
 *   on per application through the Applications API). The `?ref=` of the URL is not covered
 *   by the JWT: the send tag stays the capability for it.
 * - `vonageReceiptWebhook`: SMS API delivery receipts, signed with `sig` (signed webhooks on
 *   for the account) and a fresh signed `timestamp` (`validateVonageSignature`, which refuses
 *   names holding `&` or `=`); a repeated parameter, or a `messageId` not of Vonage's shape, is
 *   refused too. A `ref` the adapter appended to the callback URL may be outside `sig`; it is
 *   never read.
 *
 * Unsigned, badly signed, stale or re-typed requests are `signature_invalid` (answer 401 and
 * do not act on the body); a signed request that is not a report is `invalid_request`.
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import {
  badWebhook,
  type DeliveryReport,
  paramMap,
  REF_PARAM,
  type WebhookParams,
} from '../../src/delivery/report';
import { parseVonageMessageStatus } from '../../src/delivery/vonage-messages-status';
import {
  jsonObject,
  VONAGE_SIGNATURE_METHODS,
  type VonageSignatureMethod,
  validateVonageSignature,
  vonageJwtClaims,
} from '../../src/delivery/vonage-signature';
import { parseVonageCallEvent, parseVonageReceipt } from '../../src/delivery/vonage-status';
import { type VerifyError, verifyError } from '../../src/errors';
import { VONAGE_SMS_ID } from '../../src/http/inbound-fields';

/** Request headers, names in lower case (Node's `req.headers`, `Object.fromEntries(headers)`). */
export type VonageWebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What a JWT-signed Vonage webhook needs from the request. */
export interface VonageSignedRequest {
  readonly headers: VonageWebhookHeaders;
  /** The body exactly as received, before any parser (the JWT signs these bytes). */
  readonly rawBody: string | Uint8Array | undefined;
}

/** A Voice API call event: the signed request and its URL (path and query, with `?ref=`). */
export interface VonageCallRequest extends VonageSignedRequest {
  readonly url: string;
}

/** An SMS API delivery receipt: its parameters (GET query, form or JSON body). */
export interface VonageReceiptRequest {
  readonly params: WebhookParams;
}

interface Common {
  /** The account's signature secret(s) (Dashboard → API settings); a list accepts any. */
  readonly signatureSecret: string | readonly string[];
  /** Largest age and clock skew of a signed request, ms (default 5 minutes). */
  readonly maxAgeMs?: number;
  /** The clock, epoch ms (default `Date.now`). */
  readonly now?: () => number;
}

export interface VonageJwtWebhookOptions extends Common {
  /** When set, the JWT's `api_key` claim must be this (the account, or the subaccount). */
  readonly apiKey?: string;
  /** When set, the JWT's `application_id` claim must be this Vonage application's id. */
  readonly applicationId?: string;
}

export interface VonageReceiptWebhookOptions extends Common {
  /** The SMS API signing method chosen in the dashboard (default `sha256`). */
  readonly method?: VonageSignatureMethod;
}

const unsigned = (message: string): Result<never, VerifyError> =>
  err(verifyError('signature_invalid', { message }));

const fail = (name: string, what: string): never => {
  throw new TypeError(`phoneproof/vonage: ${name} needs ${what}.`);
};

/** The options as a check, or a `TypeError` naming what is wrong. */
function checked(name: string, o: Common | undefined) {
  const s = o?.signatureSecret;
  const list = typeof s === 'string' ? [s] : s;
  if (!Array.isArray(list) || list.length === 0 || list.some((x) => typeof x !== 'string' || !x)) {
    fail(name, 'signatureSecret (Dashboard → API settings)');
  }
  const maxAgeMs = o?.maxAgeMs;
  if (maxAgeMs !== undefined && (!Number.isSafeInteger(maxAgeMs) || maxAgeMs < 1000)) {
    fail(name, 'maxAgeMs to be an integer number of ms (>= 1000)');
  }
  const now = o?.now ?? Date.now;
  if (typeof now !== 'function') fail(name, 'now to be a function');
  return (at: number) => ({
    signatureSecret: list as readonly string[],
    now: at,
    ...(maxAgeMs !== undefined ? { maxAgeMs } : {}),
  });
}

const header = (h: VonageWebhookHeaders, name: string) => {
  const v = h?.[name];
  return typeof v === 'string' ? v : undefined;
};

/** A JWT-signed webhook's body, read from the signed bytes, or why it is refused. */
function signedBody(
  name: string,
  o: VonageJwtWebhookOptions,
): (req: VonageSignedRequest) => Result<Record<string, unknown>, VerifyError> {
  const check = checked(name, o);
  for (const claim of ['apiKey', 'applicationId'] as const) {
    const v = o[claim];
    if (v !== undefined && (typeof v !== 'string' || v === ''))
      fail(name, `${claim} to be a non-empty string`);
  }
  const now = o.now ?? Date.now;
  return (req) => {
    // Only bytes or text are a raw body (a framework that parsed it hands over an object).
    const raw = req?.rawBody;
    const rawBody = typeof raw === 'string' || raw instanceof Uint8Array ? raw : undefined;
    const claims = vonageJwtClaims({
      ...check(now()),
      authorization: header(req?.headers, 'authorization'),
      body: rawBody,
    });
    if (claims === undefined) {
      return unsigned('The Authorization JWT is missing, stale or does not sign this body.');
    }
    if (o.apiKey !== undefined && claims.api_key !== o.apiKey) {
      return unsigned('The JWT was signed for another api_key.');
    }
    if (o.applicationId !== undefined && claims.application_id !== o.applicationId) {
      return unsigned('The JWT was signed for another application_id.');
    }
    // Vonage posts JSON; the same signed bytes under another content type are not its request
    // (a framework would parse them as that type, e.g. a form naming other fields).
    if (!/^application\/json\s*(;|$)/i.test(header(req.headers, 'content-type') ?? '')) {
      return unsigned('A signed Vonage webhook is JSON; this request says it is not.');
    }
    const body = jsonObject(rawBody);
    return body === undefined ? badWebhook('The signed body is not a JSON object.') : ok(body);
  };
}

/**
 * Returns a function that authenticates and parses one Messages API status (SMS, WhatsApp).
 * Mount it on the application's status URL with the raw body.
 */
export function vonageStatusWebhook(
  options: VonageJwtWebhookOptions,
): (req: VonageSignedRequest) => Result<DeliveryReport, VerifyError> {
  const read = signedBody('vonageStatusWebhook', options);
  return (req) => read(req).andThen(parseVonageMessageStatus);
}

/**
 * Returns a function that authenticates and parses one Voice API call event (POST to
 * `event_url`; turn signed callbacks on for the application).
 */
export function vonageCallWebhook(
  options: VonageJwtWebhookOptions,
): (req: VonageCallRequest) => Result<DeliveryReport, VerifyError> {
  const read = signedBody('vonageCallWebhook', options);
  return (req) =>
    read(req).andThen((body) => {
      const params = Object.fromEntries(
        Object.entries(body).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)),
      ) as Record<string, string | number | boolean>;
      return parseVonageCallEvent(params, req.url);
    });
}

/** Returns a function that authenticates and parses one SMS API delivery receipt (`sig`). */
export function vonageReceiptWebhook(
  options: VonageReceiptWebhookOptions,
): (req: VonageReceiptRequest) => Result<DeliveryReport, VerifyError> {
  const check = checked('vonageReceiptWebhook', options);
  const method = options.method ?? 'sha256';
  if (!VONAGE_SIGNATURE_METHODS.includes(method)) {
    fail('vonageReceiptWebhook', `method to be one of ${VONAGE_SIGNATURE_METHODS.join(', ')}`);
  }
  const now = options.now ?? Date.now;
  return (req) => {
    const params = req?.params;
    if (typeof params !== 'object' || params === null) return unsigned('No parameters.');
    const map = paramMap(params);
    const repeated =
      [...map.values()].some((v) => v.length !== 1) ||
      (!(params instanceof URLSearchParams) && Object.values(params).some(Array.isArray));
    // Vonage sends each parameter once; a list signs as its values joined by commas, so a
    // repeated name could sign like one value while the parser reads another.
    if (repeated) return unsigned('A signed receipt repeats a parameter.');
    const flat = Object.fromEntries([...map].map(([k, [v]]) => [k, v as string]));
    // The `?ref=` `vonageSender` appends to a `statusCallback` URL comes back in a GET
    // receipt's query, whether or not Vonage signs it: it is checked either way and never
    // read (the report's ref is the signed `client-ref`).
    const { [REF_PARAM]: _ref, ...own } = flat;
    const at = check(now());
    const valid = (params: Record<string, string>) =>
      validateVonageSignature({ ...at, params, method });
    if (!valid(flat) && (_ref === undefined || !valid(own))) {
      return unsigned('The sig parameter is missing, stale or does not match.');
    }
    if (!VONAGE_SMS_ID.test(flat.messageId ?? flat['message-id'] ?? '')) {
      return badWebhook("The receipt has no messageId of Vonage's shape.");
    }
    return parseVonageReceipt(own);
  };
}
