/**
 * The native backend: Node's `crypto` (OpenSSL), also provided by Bun and Deno. The package
 * chooses it by module resolution: `#crypto-backend` (package.json `imports`) names this
 * module's build for the `node` condition, which Node, Bun and Deno match, and ./noble.ts for
 * every other runtime, so only one backend is ever loaded. Node's modules are reached through
 * `process.getBuiltinModule` (Node 20.16+ and 22.3+, Bun 1.2.6+, Deno 2.1+), never a static
 * import, so that no `node:` specifier is left to resolve should a bundler follow this module.
 * Older Bun and Deno match `node` too, so this module throws there (docs/runtimes.md). @internal
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

/**
 * Node's native primitives. Throws (misconfiguration) where the runtime matched the `node`
 * condition yet has no `node:crypto` through `process.getBuiltinModule`: a Node older than the
 * package's engines, or a bundle built for the `node` condition run elsewhere.
 */
function nodeBackend(): CryptoBackend {
  const b = builtins();
  if (!b) {
    throw new TypeError(
      'phoneproof: the `node` export condition chose the node:crypto backend, but ' +
        "process.getBuiltinModule('node:crypto') is missing (Node 20.16+, Bun 1.2.6+ and Deno 2.1+ " +
        'have it): upgrade the runtime, or bundle for it without the `node` condition (esbuild ' +
        "platform 'neutral' or 'browser', not 'node', which adds `node` to any conditions) to " +
        'use the portable backend. A `--conditions` flag adds conditions; it does not remove `node`.',
    );
  }
  const { createHmac, createHash, createCipheriv, createDecipheriv, timingSafeEqual } = b.crypto;
  const { randomFillSync, randomUUID } = b.crypto;
  const { Buffer } = b.buffer;
  // GCM's `final()` gives no bytes: the output of `update` is then the whole text, without a
  // copy into a new buffer (about a twentieth of a seal's time).
  const joined = (head: Uint8Array, tail: Uint8Array) =>
    tail.length === 0 ? head : Buffer.concat([head, tail]);
  return {
    name: 'node',
    hmac: (algorithm: HashAlgorithm, key: BytesLike, data: BytesLike) =>
      createHmac(algorithm, key).update(data).digest(),
    hash: (algorithm: HashAlgorithm, data: BytesLike) =>
      createHash(algorithm).update(data).digest(),
    gcmSeal(key, iv, plaintext, aad) {
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad);
      return {
        ciphertext: joined(cipher.update(plaintext), cipher.final()),
        tag: cipher.getAuthTag(),
      };
    },
    gcmOpen(key, iv, ciphertext, tag, aad) {
      try {
        // A fixed tag length: Node otherwise accepts tags down to 4 bytes.
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
        if (aad) decipher.setAAD(aad);
        decipher.setAuthTag(tag);
        return joined(decipher.update(ciphertext), decipher.final());
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
    textBytes: (text) => Buffer.from(text, 'utf8'),
    encodeText: (text, encoding) => Buffer.from(text, 'utf8').toString(encoding),
    encode: (bytes, encoding) =>
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString(encoding),
  };
}

/** The backend of this module (`#crypto-backend` under the `node` condition). */
export const backend: CryptoBackend = nodeBackend();
