/**
 * The one crypto module of phoneproof: synchronous HMAC, hashes, AES-256-GCM, randomness,
 * UUIDs, constant-time comparison and byte encodings, on Web-standard `Uint8Array`. The
 * backend is chosen by module resolution, not at run time: `#crypto-backend` (package.json
 * `imports`) is Node's native crypto (./node.ts) under the `node` condition (Node, Bun, Deno,
 * bundles for Node), else the pure-JS noble primitives with Web Crypto randomness
 * (./noble.ts: workerd, Vercel Edge, browsers), so a runtime loads one of them only. The build
 * keeps the specifier (tsup.config.ts); tools that run the sources map it to a file
 * (scripts/internal-imports.mjs, tsconfig.json `paths`). Both give byte-identical digests, MACs and sealed blobs (test/crypto/backends.test.ts), so
 * records written on one runtime open on another. Nothing else in src/ imports `node:crypto`
 * or uses `Buffer`. @internal
 * @module
 */

import { backend } from '#crypto-backend';
import type { BytesLike, HashAlgorithm, Sealed, TextEncoding } from './backend';
import * as text from './encoding';

export type { BytesLike, CryptoBackend, HashAlgorithm, Sealed, TextEncoding } from './backend';
export { concatBytes, fromBase64, fromUtf8, utf8 } from './encoding';

/** The backend in use: the one `#crypto-backend` resolved to. */
export { backend };

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

const encodeText = backend.encodeText;

/** The UTF-8 bytes of `text` in base64url: `toBase64Url(utf8(text))` (one native call on Node). */
export const textToBase64Url: (text: string) => string = encodeText
  ? (t) => encodeText(t, 'base64url')
  : (t) => text.toBase64Url(text.utf8(t));

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

/** UTF-8 bytes for a comparison only (they never leave this module). */
const bytesOf = backend.textBytes ?? text.utf8;

/** Constant-time equality of bytes (or of strings' UTF-8 bytes); length is not secret. */
export function timingSafeEqual(a: BytesLike, b: BytesLike): boolean {
  const x = typeof a === 'string' ? bytesOf(a) : a;
  const y = typeof b === 'string' ? bytesOf(b) : b;
  return backend.equal(x, y);
}
