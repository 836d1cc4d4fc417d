/**
 * The one crypto module of phoneproof: synchronous HMAC, hashes, AES-256-GCM, randomness,
 * UUIDs, constant-time comparison and byte encodings, on Web-standard `Uint8Array`. The
 * backend is Node's native crypto where the runtime has it (found without a static import,
 * see ./node.ts), else the pure-JS noble primitives with Web Crypto randomness (./noble.ts);
 * both give byte-identical digests, MACs and sealed blobs (test/crypto/backends.test.ts), so
 * records written on one runtime open on another. Nothing else in src/ imports `node:crypto`
 * or uses `Buffer`. @internal
 * @module
 */
import type { BytesLike, CryptoBackend, HashAlgorithm, Sealed, TextEncoding } from './backend';
import * as text from './encoding';
import { nobleBackend } from './noble';
import { nodeBackend } from './node';

export type { BytesLike, CryptoBackend, HashAlgorithm, Sealed, TextEncoding } from './backend';
export { concatBytes, fromBase64, fromUtf8, utf8 } from './encoding';
export { nobleBackend } from './noble';
export { nodeBackend } from './node';

/** The backend in use: native where there is one, portable otherwise. */
export const backend: CryptoBackend = nodeBackend() ?? nobleBackend;

const encode = backend.encode;

/** Standard base64 with padding (RFC 4648 section 4). */
export const toBase64: (bytes: Uint8Array) => string = encode
  ? (bytes) => encode(bytes, 'base64')
  : text.toBase64;

/** base64url without padding (RFC 4648 section 5). */
export const toBase64Url: (bytes: Uint8Array) => string = encode
  ? (bytes) => encode(bytes, 'base64url')
  : text.toBase64Url;

/** Lower-case hex. */
export const toHex: (bytes: Uint8Array) => string = encode
  ? (bytes) => encode(bytes, 'hex')
  : text.toHex;

/** HMAC of `data` under `key` (strings are UTF-8). */
export const hmac = (algorithm: HashAlgorithm, key: BytesLike, data: BytesLike): Uint8Array =>
  backend.hmac(algorithm, key, data);

const nativeHmacText = backend.hmacText;

/** HMAC of `data` under `key`, as text: `toBase64Url(hmac(...))` (or base64, hex) in one step. */
export const hmacText: (
  algorithm: HashAlgorithm,
  key: BytesLike,
  data: BytesLike,
  encoding: TextEncoding,
) => string = nativeHmacText
  ? nativeHmacText
  : (algorithm, key, data, encoding) =>
      (encoding === 'hex' ? text.toHex : encoding === 'base64' ? text.toBase64 : text.toBase64Url)(
        backend.hmac(algorithm, key, data),
      );

/** Digest of `data` (strings are UTF-8). */
export const hash = (algorithm: HashAlgorithm, data: BytesLike): Uint8Array =>
  backend.hash(algorithm, data);

/** AES-256-GCM encryption (12-byte IV, 16-byte tag) authenticating `aad`. */
export const gcmSeal = (
  key: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Sealed => backend.gcmSeal(key, iv, plaintext, aad);

/** AES-256-GCM decryption; undefined when the tag does not authenticate. */
export const gcmOpen = (
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array | undefined,
): Uint8Array | undefined => backend.gcmOpen(key, iv, ciphertext, tag, aad);

/** Fills `buffer` from the CSPRNG and returns it. */
export const randomFill = (buffer: Uint8Array): Uint8Array => backend.randomFill(buffer);

/** `n` bytes from the CSPRNG. */
export const randomBytes = (n: number): Uint8Array => backend.randomFill(new Uint8Array(n));

/** A copy of `bytes` (of the runtime's own byte type, a `Buffer` on Node). */
export const copyBytes = (bytes: Uint8Array): Uint8Array => backend.copy(bytes);

/** Constant-time equality of bytes (or of strings' UTF-8 bytes); length is not secret. */
export function timingSafeEqual(a: BytesLike, b: BytesLike): boolean {
  const x = typeof a === 'string' ? text.utf8(a) : a;
  const y = typeof b === 'string' ? text.utf8(b) : b;
  return backend.equal(x, y);
}
