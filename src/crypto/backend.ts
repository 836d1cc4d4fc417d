/**
 * The crypto backend port: the synchronous primitives phoneproof's decisions use (a store
 * transition computes digests and seals values without awaiting). Two implementations give
 * byte-identical results: Node's native crypto (./node.ts, where the runtime has it) and
 * the audited pure-JS noble primitives over Web Crypto randomness (./noble.ts, everywhere).
 * @internal
 * @module
 */

/** A hash function by name. `md5` and `sha1` only for providers' webhook signatures. */
export type HashAlgorithm = 'md5' | 'sha1' | 'sha256' | 'sha512';

/** Bytes, or a string taken as its UTF-8 bytes. */
export type BytesLike = string | Uint8Array;

/** AES-256-GCM output: the ciphertext (as long as the plaintext) and its 16-byte tag. */
export interface Sealed {
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

/** Synchronous primitives; every method is pure but `randomFill` and `uuid`. */
export interface CryptoBackend {
  /** `node` (native) or `noble` (pure JS and Web Crypto). */
  readonly name: 'node' | 'noble';
  hmac(algorithm: HashAlgorithm, key: BytesLike, data: BytesLike): Uint8Array;
  hash(algorithm: HashAlgorithm, data: BytesLike): Uint8Array;
  /** AES-256-GCM, 32-byte key, 12-byte IV, 16-byte tag, `aad` authenticated. */
  gcmSeal(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Sealed;
  /** The plaintext, or undefined when the tag does not authenticate (key, IV, AAD, bytes). */
  gcmOpen(
    key: Uint8Array,
    iv: Uint8Array,
    ciphertext: Uint8Array,
    tag: Uint8Array,
    aad: Uint8Array | undefined,
  ): Uint8Array | undefined;
  /** Fills `buffer` from the CSPRNG and returns it. */
  randomFill(buffer: Uint8Array): Uint8Array;
  /** A random RFC 9562 version 4 UUID. */
  uuid(): string;
  /** A copy of `bytes` (the runtime's own byte type: a `Buffer` on Node). */
  copy(bytes: Uint8Array): Uint8Array;
  /** Equal bytes, in time independent of the contents (length is not secret). */
  equal(a: Uint8Array, b: Uint8Array): boolean;
  /** A native text encoding of bytes, when faster than ./encoding.ts (the same output). */
  readonly encode?: (bytes: Uint8Array, encoding: TextEncoding) => string;
  /** The UTF-8 bytes of `text` (as ./encoding.ts `utf8`), when native is faster. */
  readonly textBytes?: (text: string) => Uint8Array;
  /** `encode(utf8(text))` in one native call, when the backend has one. */
  readonly encodeText?: (text: string, encoding: TextEncoding) => string;
  /** `encode(hmac(...))` in one native call, when the backend has one. */
  readonly hmacText?: (
    algorithm: HashAlgorithm,
    key: BytesLike,
    data: BytesLike,
    encoding: TextEncoding,
  ) => string;
}

/** The encodings of `CryptoBackend.encode`. */
export type TextEncoding = 'base64' | 'base64url' | 'hex';
