/**
 * Compact JWS / JWT (RFC 7515, RFC 7519) with HS256 only, synchronous: signing, and a
 * verification that makes the checks `jose`'s `jwtVerify` made for phoneproof (it replaced
 * it): three base64url segments, a JSON-object protected header (UTF-8, strict) whose `alg`
 * is HS256, no `crit` but `b64: true`, a key chosen by the header (`kid`), an HMAC compared in
 * constant time; then a JSON-object claims set, `typ` (normalized as RFC 7515 4.1.9 allows),
 * required claims present, `iss` equal, `aud` shared, `iat`/`nbf`/`exp` numbers when
 * present, `nbf` not after now and `exp` after now (whole seconds, no tolerance).
 * Segments must be canonical base64url (no padding, no `+` or `/`), which jose did not ask.
 * @internal
 * @module
 */
import { fromBase64 } from './encoding';
import { hmac, hmacText, textToBase64Url, timingSafeEqual, toBase64Url } from './index';

/** What `verifyJwt` checks beyond the signature. */
export interface JwtChecks {
  /** The expected `typ` header. */
  readonly typ: string;
  readonly issuer: string;
  /** When set, `aud` must name one of these. */
  readonly audience?: string | readonly string[] | undefined;
  /** Claims that must be present (`iss`, and `aud` with `audience`, are added). */
  readonly requiredClaims: readonly string[];
  /** Now, epoch milliseconds. */
  readonly now: number;
}

/** A verified token, or why not: `expired` (only a good signature can say so) or `invalid`. */
export type JwtResult =
  | { readonly ok: true; readonly header: JsonObject; readonly payload: JsonObject }
  | { readonly ok: false; readonly reason: 'expired' | 'invalid'; readonly message: string };

type JsonObject = Record<string, unknown>;

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const strict = new TextDecoder('utf-8', { fatal: true });

const fail = (message: string, reason: 'expired' | 'invalid' = 'invalid'): JwtResult => ({
  ok: false,
  reason,
  message,
});

/** base64url JSON object, or undefined. */
function jsonSegment(segment: string): JsonObject | undefined {
  try {
    const v = JSON.parse(strict.decode(fromBase64(segment))) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const proto = Object.getPrototypeOf(v) as unknown;
    return proto === Object.prototype || proto === null ? (v as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

const b64json = (value: unknown) => textToBase64Url(JSON.stringify(value));

/**
 * A signer of `header.payload.signature` tokens, HS256 under `key` (`alg` first in the
 * header): the header segment is encoded once, each call encodes its payload and MACs it.
 */
export function jwsSigner(key: Uint8Array, header: JsonObject): (payload: JsonObject) => string {
  const head = `${b64json({ alg: 'HS256', ...header })}.`;
  return (payload) => {
    const input = head + b64json(payload);
    return `${input}.${hmacText('sha256', key, input, 'base64url')}`;
  };
}

/** `header.payload.signature`, HS256 under `key` (`alg` first in the header). */
export function signJwt(key: Uint8Array, header: JsonObject, payload: JsonObject): string {
  return jwsSigner(key, header)(payload);
}

const normalizeTyp = (v: string) =>
  v.includes('/') ? v.toLowerCase() : `application/${v.toLowerCase()}`;

/** Verifies an HS256 token under the key `keyFor(header)` names, then its claims. */
export function verifyJwt(
  token: string,
  keyFor: (header: JsonObject) => Uint8Array | undefined,
  checks: JwtChecks,
): JwtResult {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) return fail('Invalid JWS.');
  const [h, p, s] = parts as [string, string, string];
  const header = jsonSegment(h);
  if (!header) return fail('The JWS header is invalid.');
  if (header.crit !== undefined) {
    const c = header.crit;
    const onlyB64 = Array.isArray(c) && c.length === 1 && c[0] === 'b64';
    if (!onlyB64 || header.b64 !== true) return fail('Unsupported critical header.');
  }
  if (header.alg !== 'HS256') return fail('The JWS algorithm is not allowed.');
  const key = keyFor(header);
  if (!key) return fail('Unknown key.');
  // One spelling per signature: base64url's unused trailing bits must be zero.
  const signature = fromBase64(s);
  if (signature === undefined || toBase64Url(signature) !== s) return fail('Invalid JWS.');
  if (!timingSafeEqual(hmac('sha256', key, `${h}.${p}`), signature)) {
    return fail('The signature does not verify.');
  }
  const payload = jsonSegment(p);
  if (!payload) return fail('The claims set must be a JSON object.');
  return claimsProblem(header, payload, checks) ?? { ok: true, header, payload };
}

/** jose's claims checks, in its order. */
function claimsProblem(header: JsonObject, c: JsonObject, k: JwtChecks): JwtResult | undefined {
  if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== normalizeTyp(k.typ)) {
    return fail('Unexpected typ.');
  }
  const required = [...k.requiredClaims, ...(k.audience !== undefined ? ['aud'] : []), 'iss'];
  for (const claim of required) if (!Object.hasOwn(c, claim)) return fail(`Missing ${claim}.`);
  if (c.iss !== k.issuer) return fail('Unexpected iss.');
  if (k.audience !== undefined) {
    const allowed: readonly string[] = typeof k.audience === 'string' ? [k.audience] : k.audience;
    const aud = c.aud;
    const shared =
      typeof aud === 'string'
        ? allowed.includes(aud)
        : Array.isArray(aud) && allowed.some((a) => aud.includes(a));
    if (!shared) return fail('Unexpected aud.');
  }
  for (const claim of ['iat', 'nbf', 'exp']) {
    if (c[claim] !== undefined && typeof c[claim] !== 'number') return fail(`Bad ${claim}.`);
  }
  const now = Math.floor(k.now / 1000);
  if (typeof c.nbf === 'number' && c.nbf > now) return fail('Not yet valid.');
  if (typeof c.exp === 'number' && c.exp <= now) return fail('Expired.', 'expired');
  return undefined;
}
