/**
 * Signed requests, the server side: `verifyRequestSignature` checks the system id, the
 * timestamp window, the HMAC (in constant time) and, last, that the signature was never
 * seen before, through the Store port so a replay is refused on every instance that shares
 * the store. Expected failures are `signature_invalid` values; an unreachable store is
 * `store_unavailable` (fail closed).
 * @module
 */

import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { hash, timingSafeEqual, toBase64Url } from '../crypto';
import { type VerifyError, verifyError } from '../errors';
import type { Store } from '../ports/store';
import type { Secret } from '../secrets';
import {
  bodyDigest,
  canonicalRequest,
  SIGNATURE_HEADER,
  SYSTEM_HEADER,
  signatureOf,
  systemKey,
  TIMESTAMP_HEADER,
} from './sign';

/** Default clock-skew window: 5 minutes either way. */
export const DEFAULT_SKEW_MS = 5 * 60_000;

export interface SignatureOptions {
  /** Trusted callers: system id -> shared secret (a list rotates: any of them verifies). */
  readonly systems: Readonly<Record<string, Secret | readonly Secret[]>>;
  /** Replay cache. Share it between instances (the verifier's store does). */
  readonly store: Store;
  /** Accepted distance between the request's timestamp and now, ms (default 5 minutes). */
  readonly skewMs?: number;
  /** Clock, epoch ms (default `Date.now`). */
  readonly now?: () => number;
}

/** What the server received. Header names are matched lower-case (as Node gives them). */
export interface SignedRequest {
  readonly method: string;
  /** Request target as received: path plus query string. */
  readonly path: string;
  /** The raw body bytes (undefined or empty: no body). */
  readonly body?: string | Uint8Array | undefined;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** The verified caller. */
export interface SignedCaller {
  readonly systemId: string;
  /** The request's timestamp, epoch ms. */
  readonly timestamp: number;
}

export type RequestSignatureCheck = (
  request: SignedRequest,
) => ResultAsync<SignedCaller, VerifyError>;

const TIMESTAMP = /^\d{1,16}$/;
const SIGNATURE = /^v1=[A-Za-z0-9_-]{43}$/;

function refuse(message: string): ResultAsync<never, VerifyError> {
  return errAsync(verifyError('signature_invalid', { message }));
}

function header(request: SignedRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Builds a signature check once (throws on misconfiguration: no systems, a short secret,
 * no store, a bad window) and returns it.
 */
export function requestSignatureCheck(options: SignatureOptions): RequestSignatureCheck {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('phoneproof: `signatures` must be an object.');
  }
  const { systems, store } = options;
  if (typeof systems !== 'object' || systems === null || Object.keys(systems).length === 0) {
    throw new TypeError('phoneproof: `signatures.systems` must name at least one system.');
  }
  if (!store || typeof store.update !== 'function') {
    throw new TypeError(
      'phoneproof: `signatures.store` must implement the Store port (the replay cache).',
    );
  }
  const skewMs = options.skewMs ?? DEFAULT_SKEW_MS;
  if (!Number.isSafeInteger(skewMs) || skewMs < 1000) {
    throw new TypeError('phoneproof: `signatures.skewMs` must be an integer of at least 1000.');
  }
  const now = options.now ?? Date.now;
  const keys = new Map<string, readonly Uint8Array[]>();
  for (const [id, secret] of Object.entries(systems)) {
    const list = (Array.isArray(secret) ? secret : [secret]) as readonly Secret[];
    if (list.length === 0) throw new TypeError(`phoneproof: system "${id}" has no secret.`);
    keys.set(
      id,
      list.map((s) => systemKey(s, id)),
    );
  }

  const remember = ResultAsync.fromThrowable(
    (key: string, ttlMs: number) =>
      store.update(key, (current) =>
        current !== undefined ? { result: false } : { result: true, write: { value: '1', ttlMs } },
      ),
    (e) => verifyError('store_unavailable', { cause: e }),
  );

  return (request) => {
    const systemId = header(request, SYSTEM_HEADER);
    const stamp = header(request, TIMESTAMP_HEADER);
    const signature = header(request, SIGNATURE_HEADER);
    if (systemId === undefined || stamp === undefined || signature === undefined) {
      return refuse('The request is not signed.');
    }
    const secrets = Object.hasOwn(systems, systemId) ? keys.get(systemId) : undefined;
    if (secrets === undefined) return refuse('Unknown system.');
    if (!TIMESTAMP.test(stamp) || !SIGNATURE.test(signature)) {
      return refuse('The signature headers are malformed.');
    }
    const timestamp = Number(stamp);
    const at = now();
    if (Math.abs(at - timestamp) > skewMs) {
      return refuse('The request timestamp is outside the accepted window; check the clock.');
    }
    const canonical = canonicalRequest(
      systemId,
      timestamp,
      request.method,
      request.path,
      bodyDigest(request.body),
    );
    let match = false;
    for (const key of secrets) {
      // Every key is tried so timing does not reveal which one matched.
      if (timingSafeEqual(signatureOf(key, canonical), signature)) match = true;
    }
    if (!match) return refuse('The request signature does not match.');
    const replayKey = `replay:${toBase64Url(hash('sha256', `${systemId}\u0000${signature}`))}`;
    // The signature stays acceptable until timestamp + skew: remember it at least that long.
    const ttlMs = Math.max(1000, timestamp + skewMs - at) + 1000;
    return remember(replayKey, ttlMs).andThen((fresh) =>
      fresh
        ? okAsync<SignedCaller, VerifyError>({ systemId, timestamp })
        : refuse('This request was already received (replay).'),
    );
  };
}

/** One-shot form of `requestSignatureCheck` (builds the check, then runs it). */
export function verifyRequestSignature(
  request: SignedRequest,
  options: SignatureOptions,
): ResultAsync<SignedCaller, VerifyError> {
  return requestSignatureCheck(options)(request);
}
