/**
 * The portable backend: the audited pure-JS noble primitives (`@noble/hashes` for MD5,
 * SHA-1, SHA-2 and HMAC; `@noble/ciphers` for AES-GCM) and Web Crypto's
 * `crypto.getRandomValues` / `crypto.randomUUID` for randomness. Runs wherever there is an
 * ES2022 engine with Web Crypto: workerd, Vercel Edge, browsers (and Deno, Bun, Node, which
 * resolve ./node.ts instead). @internal
 * @module
 */
import { gcm } from '@noble/ciphers/aes.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import type { BytesLike, CryptoBackend, HashAlgorithm } from './backend';
import { concatBytes, toHex, utf8 } from './encoding';

const HASHES = { md5, sha1, sha256, sha512 } as const;

const bytes = (x: BytesLike): Uint8Array => (typeof x === 'string' ? utf8(x) : x);

function hashOf(algorithm: HashAlgorithm): (typeof HASHES)[HashAlgorithm] {
  const h = HASHES[algorithm];
  if (!h) throw new TypeError(`phoneproof: unsupported hash ${String(algorithm)}`);
  return h;
}

function aesKey(key: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new RangeError('phoneproof: AES-256-GCM needs a 32-byte key.');
  return key;
}

/** The part of Web Crypto used here. */
interface WebRandom {
  getRandomValues(array: Uint8Array): Uint8Array;
  randomUUID?(): string;
}

/** The Web Crypto object; throws (misconfiguration) on a runtime without one. */
function webCrypto(): WebRandom {
  const c = (globalThis as { crypto?: WebRandom }).crypto;
  if (typeof c?.getRandomValues !== 'function') {
    throw new TypeError('phoneproof: this runtime has no crypto.getRandomValues.');
  }
  return c;
}

/** getRandomValues fills at most 65,536 bytes per call. */
function randomFill(buffer: Uint8Array): Uint8Array {
  const c = webCrypto();
  for (let at = 0; at < buffer.length; at += 65536) {
    c.getRandomValues(buffer.subarray(at, Math.min(buffer.length, at + 65536)));
  }
  return buffer;
}

function uuid(): string {
  const c = webCrypto();
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = randomFill(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The noble primitives with Web Crypto randomness: `#crypto-backend` (package.json `imports`)
 * on every runtime that does not match the `node` condition.
 */
export const backend: CryptoBackend = {
  name: 'noble',
  hmac: (algorithm, key, data) => nobleHmac(hashOf(algorithm), bytes(key), bytes(data)),
  hash: (algorithm, data) => hashOf(algorithm)(bytes(data)),
  gcmSeal(key, iv, plaintext, aad) {
    const out = gcm(aesKey(key), iv, aad).encrypt(plaintext);
    const n = out.length - 16;
    return { ciphertext: out.subarray(0, n), tag: out.subarray(n) };
  },
  gcmOpen(key, iv, ciphertext, tag, aad) {
    if (tag.length !== 16) return undefined;
    try {
      return gcm(aesKey(key), iv, aad).decrypt(concatBytes(ciphertext, tag));
    } catch {
      return undefined;
    }
  },
  randomFill,
  uuid,
  copy: (b) => new Uint8Array(b),
  equal(a, b) {
    if (a.length !== b.length) return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
    return diff === 0;
  },
};
