/**
 * The native backend: Node's `crypto` (OpenSSL), also provided by Bun and Deno. Found at run
 * time through `process.getBuiltinModule` (Node 20.16+, 22.3+), never a static import, so
 * bundles for Web runtimes have no `node:` specifier to resolve. @internal
 * @module
 */
import type * as NodeBuffer from 'node:buffer';
import type * as NodeCrypto from 'node:crypto';
import type { BytesLike, CryptoBackend, HashAlgorithm } from './backend';

type GetBuiltin = (id: string) => unknown;

/** The runtime's `node:crypto` and `node:buffer`, or undefined where there are none. */
function builtins(): { crypto: typeof NodeCrypto; buffer: typeof NodeBuffer } | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: GetBuiltin } }).process;
  if (typeof p?.getBuiltinModule !== 'function') return undefined;
  try {
    const crypto = p.getBuiltinModule('node:crypto') as typeof NodeCrypto | undefined;
    const buffer = p.getBuiltinModule('node:buffer') as typeof NodeBuffer | undefined;
    if (typeof crypto?.createHmac !== 'function' || typeof crypto.createCipheriv !== 'function')
      return undefined;
    if (typeof buffer?.Buffer?.concat !== 'function') return undefined;
    return { crypto, buffer };
  } catch {
    return undefined;
  }
}

/** Node's native primitives, or undefined when the runtime has no `node:crypto`. */
export function nodeBackend(): CryptoBackend | undefined {
  const b = builtins();
  if (!b) return undefined;
  const { createHmac, createHash, createCipheriv, createDecipheriv, timingSafeEqual } = b.crypto;
  const { randomFillSync, randomUUID } = b.crypto;
  const { Buffer } = b.buffer;
  return {
    name: 'node',
    hmac: (algorithm: HashAlgorithm, key: BytesLike, data: BytesLike) =>
      createHmac(algorithm, key).update(data).digest(),
    hash: (algorithm: HashAlgorithm, data: BytesLike) =>
      createHash(algorithm).update(data).digest(),
    gcmSeal(key, iv, plaintext, aad) {
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad);
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return { ciphertext, tag: cipher.getAuthTag() };
    },
    gcmOpen(key, iv, ciphertext, tag, aad) {
      try {
        // A fixed tag length: Node otherwise accepts tags down to 4 bytes.
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
        if (aad) decipher.setAAD(aad);
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      } catch {
        return undefined;
      }
    },
    randomFill: (buffer) => randomFillSync(buffer),
    uuid: () => randomUUID(),
    copy: (bytes) => Buffer.from(bytes),
    equal: (a, b) => a.length === b.length && timingSafeEqual(a, b),
    hmacText: (algorithm, key, data, encoding) =>
      createHmac(algorithm, key).update(data).digest(encoding),
    encode: (bytes, encoding) =>
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString(encoding),
  };
}
