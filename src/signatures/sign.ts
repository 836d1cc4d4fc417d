/**
 * Signed requests, the client side: `signRequest` computes the headers a trusted system
 * sends so that a phoneproof HTTP adapter can tell who called, that nothing was changed on
 * the way, and that the request is fresh. The secret itself never travels.
 *
 * The signature is `v1=` + base64url(HMAC-SHA256(secret, canonical)) where `canonical` is
 * `phoneproof-v1`, the system id, the timestamp (epoch ms), the upper-case method, the request target
 * (path and query, exactly as sent) and base64url(SHA-256(body)), joined by newlines.
 * @module
 */
import { copyBytes, hash, hmacText, toBase64Url, utf8 } from '../crypto';
import type { Secret } from '../secrets';

/** Header carrying the caller's system id. */
export const SYSTEM_HEADER = 'x-phoneproof-system';
/** Header carrying the request time, epoch milliseconds. */
export const TIMESTAMP_HEADER = 'x-phoneproof-timestamp';
/** Header carrying `v1=<base64url HMAC>`. */
export const SIGNATURE_HEADER = 'x-phoneproof-signature';

/** Smallest accepted system secret, in bytes. */
export const MIN_SYSTEM_SECRET_BYTES = 32;

export interface SignRequestInput {
  /** The caller's id, as configured on the server (`signatures.systems`). */
  readonly systemId: string;
  /** The caller's shared secret, at least 32 bytes. */
  readonly secret: Secret;
  /** HTTP method, any case. */
  readonly method: string;
  /** Request target as sent: path plus query string, e.g. `/verify/verifications?x=1`. */
  readonly path: string;
  /** The exact body bytes sent (a string is encoded as UTF-8); omitted: no body. */
  readonly body?: string | Uint8Array;
  /** Epoch milliseconds (default `Date.now()`). */
  readonly timestamp?: number;
}

/** The three headers a signed request carries. */
export interface SignedHeaders {
  readonly [SYSTEM_HEADER]: string;
  readonly [TIMESTAMP_HEADER]: string;
  readonly [SIGNATURE_HEADER]: string;
}

/** Turns a secret into key bytes; throws (misconfiguration) when it is short. */
export function systemKey(secret: Secret, name: string): Uint8Array {
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) {
    throw new TypeError(`phoneproof: the secret of system "${name}" must be a string or bytes.`);
  }
  const key = copyBytes(typeof secret === 'string' ? utf8(secret) : secret);
  if (key.length < MIN_SYSTEM_SECRET_BYTES) {
    throw new TypeError(
      `phoneproof: the secret of system "${name}" is ${key.length} bytes; at least ` +
        `${MIN_SYSTEM_SECRET_BYTES} are required.`,
    );
  }
  return key;
}

/** base64url(SHA-256(body)); the empty body has a digest too. */
export function bodyDigest(body: string | Uint8Array | undefined): string {
  return toBase64Url(hash('sha256', body ?? ''));
}

/** The signed text. @internal */
export function canonicalRequest(
  systemId: string,
  timestamp: number,
  method: string,
  path: string,
  digest: string,
): string {
  return ['phoneproof-v1', systemId, String(timestamp), method.toUpperCase(), path, digest].join(
    '\n',
  );
}

/** `v1=` + base64url HMAC of the canonical request under `key`. @internal */
export function signatureOf(key: Uint8Array, canonical: string): string {
  return `v1=${hmacText('sha256', key, canonical, 'base64url')}`;
}

/**
 * Signs a request: returns the headers to send with it. Throws when the secret is shorter
 * than 32 bytes or the timestamp is not a non-negative integer.
 *
 * @example
 * ```ts
 * const body = JSON.stringify({ phone: '+12133734253' });
 * const headers = signRequest({ systemId: 'crm', secret, method: 'POST', path: '/verify/verifications', body });
 * await fetch(url, { method: 'POST', body, headers: { ...headers, 'content-type': 'application/json' } });
 * ```
 */
export function signRequest(input: SignRequestInput): SignedHeaders {
  const key = systemKey(input.secret, input.systemId);
  const timestamp = input.timestamp ?? Date.now();
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new TypeError('phoneproof: `timestamp` must be epoch milliseconds (an integer).');
  }
  const canonical = canonicalRequest(
    input.systemId,
    timestamp,
    input.method,
    input.path,
    bodyDigest(input.body),
  );
  return {
    [SYSTEM_HEADER]: input.systemId,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signatureOf(key, canonical),
  };
}
