/**
 * Vonage webhook signatures (https://developer.vonage.com/en/getting-started/concepts/signing-messages,
 * https://developer.vonage.com/en/messages/concepts/signed-webhooks):
 *
 * - SMS API (inbound messages, delivery receipts): a `sig` parameter over every other
 *   parameter, sorted by name, as `&name=value` with `&` and `=` in values replaced by `_`;
 *   an HMAC (MD5, SHA-1, SHA-256 or SHA-512, hex) keyed with the account's signature secret,
 *   or for the legacy "MD5 hash" method, MD5 of that string followed by the secret. Signed
 *   parameters include `timestamp` (Unix seconds) and a `nonce`, so a stale one is refused.
 *   Names are not escaped, so a name holding `&` or `=` could fold other parameters into it
 *   (`message-timestamp=…&messageId` signs like both, with no `messageId` left): such a
 *   request never verifies. A repeated name (a list) signs as its values joined by commas.
 * - Messages API: an `Authorization: Bearer` JWT, HS256 with the signature secret, whose
 *   `payload_hash` claim is the SHA-256 (hex) of the request body and `iat` its issue time.
 *
 * Pure computation (../crypto only); every comparison is constant-time.
 * @module
 */
import { fromBase64, fromUtf8, hash, hmacText, toHex } from '../crypto';
import { digestEquals } from '../secrets';

/** The signing method chosen in the Vonage dashboard (default `sha256`). */
export type VonageSignatureMethod = 'md5hash' | 'md5' | 'sha1' | 'sha256' | 'sha512';

export const VONAGE_SIGNATURE_METHODS: readonly VonageSignatureMethod[] = [
  'md5hash',
  'md5',
  'sha1',
  'sha256',
  'sha512',
];

/** Default largest age (and clock skew) of a signed webhook, ms. */
export const VONAGE_MAX_AGE_MS = 5 * 60_000;

type Params = Readonly<Record<string, unknown>>;

const str = (v: unknown) =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);

/** The signature Vonage's SMS API computes over `params` (without `sig`). */
export function vonageSignature(
  secret: string,
  params: Params,
  method: VonageSignatureMethod = 'sha256',
): string {
  let data = '';
  for (const k of Object.keys(params).sort()) {
    if (k === 'sig') continue;
    data += `&${k}=${str(params[k]).replace(/[&=]/g, '_')}`;
  }
  if (method === 'md5hash') return toHex(hash('md5', data + secret));
  return hmacText(method, secret, data, 'hex');
}

export interface VonageCheck {
  /** The signature secret(s); a list accepts any (rotation). */
  readonly signatureSecret: string | readonly string[];
  /** Now, epoch ms. */
  readonly now: number;
  /** Largest age and clock skew accepted, ms (default 5 minutes). */
  readonly maxAgeMs?: number;
}

const secretsOf = (s: string | readonly string[]) =>
  (typeof s === 'string' ? [s] : s).filter((x) => typeof x === 'string' && x !== '');

const fresh = (seconds: unknown, c: VonageCheck) => {
  const t = Number(seconds);
  const max = c.maxAgeMs ?? VONAGE_MAX_AGE_MS;
  return Number.isFinite(t) && Math.abs(c.now - t * 1000) <= max;
};

/** True when an SMS API webhook's `sig` matches and its `timestamp` is fresh. */
export function validateVonageSignature(
  c: VonageCheck & { readonly params: Params; readonly method?: VonageSignatureMethod },
): boolean {
  const sig = c.params.sig;
  if (typeof sig !== 'string' || sig === '' || !fresh(c.params.timestamp, c)) return false;
  if (Object.keys(c.params).some((k) => /[&=]/.test(k))) return false;
  let valid = false;
  for (const secret of secretsOf(c.signatureSecret)) {
    const expected = vonageSignature(secret, c.params, c.method ?? 'sha256');
    if (digestEquals(expected, sig.toLowerCase())) valid = true;
  }
  return valid;
}

/** `raw` (text or UTF-8 bytes) as a JSON object; undefined when it is not one. @internal */
export function jsonObject(
  raw: string | Uint8Array | undefined,
): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  try {
    const v = JSON.parse(typeof raw === 'string' ? raw : fromUtf8(raw)) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const b64json = (s: string): Record<string, unknown> | undefined => {
  const bytes = fromBase64(s);
  return bytes === undefined ? undefined : jsonObject(bytes);
};

/**
 * The claims of a Messages API (or Voice API) webhook's `Authorization: Bearer <JWT>` when it
 * is signed HS256 with a signature secret, issued within `maxAgeMs`, not past its `exp`, and
 * its `payload_hash` is the body's SHA-256; undefined otherwise.
 */
export function vonageJwtClaims(
  c: VonageCheck & {
    readonly authorization: string | undefined;
    readonly body: string | Uint8Array | undefined;
  },
): Readonly<Record<string, unknown>> | undefined {
  const m = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(
    c.authorization ?? '',
  );
  if (!m || c.body === undefined) return undefined;
  const [, h, p, s] = m as unknown as [string, string, string, string];
  const header = b64json(h);
  const claims = b64json(p);
  if (header?.alg !== 'HS256' || !claims || !fresh(claims.iat, c)) return undefined;
  if (typeof claims.exp === 'number' && claims.exp * 1000 < c.now) return undefined;
  const bodyHash = toHex(hash('sha256', c.body));
  if (
    typeof claims.payload_hash !== 'string' ||
    !digestEquals(bodyHash, claims.payload_hash.toLowerCase())
  )
    return undefined;
  let valid = false;
  for (const secret of secretsOf(c.signatureSecret)) {
    const expected = hmacText('sha256', secret, `${h}.${p}`, 'base64url');
    if (digestEquals(expected, s)) valid = true;
  }
  return valid ? claims : undefined;
}

/**
 * True when a Messages API webhook carries `Authorization: Bearer <JWT>` signed HS256 with a
 * signature secret, issued within `maxAgeMs`, whose `payload_hash` is the body's SHA-256.
 */
export function validateVonageJwt(
  c: VonageCheck & {
    readonly authorization: string | undefined;
    readonly body: string | Uint8Array | undefined;
  },
): boolean {
  return vonageJwtClaims(c) !== undefined;
}
