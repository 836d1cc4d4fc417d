/**
 * Keyed hashing: store keys derived from phone numbers, code digests, constant-time compare.
 * Uses only `node:crypto` computation (no I/O). @internal
 * @module
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';

/** Smallest accepted secret, in bytes (HMAC-SHA256 key strength). */
export const MIN_SECRET_BYTES = 32;

/** A secret as given by the application: a string (UTF-8) or raw bytes. */
export type Secret = string | Uint8Array;

/** Validated secrets: `current` signs new codes, `all` are accepted when checking. */
export interface Keyring {
  readonly current: Buffer;
  readonly all: readonly Buffer[];
  /** Derives store keys; stable across rotations that keep the oldest secret. */
  readonly lookup: Buffer;
  /** AES-256-GCM keys derived from `all`, same order (`sealKeys[0]` seals). */
  readonly sealKeys: readonly Buffer[];
}

/** Builds a keyring; throws (misconfiguration) when a secret is missing or short. */
export function keyring(secret: Secret | readonly Secret[], lookupSecret?: Secret): Keyring {
  const list = (Array.isArray(secret) ? secret : [secret]) as readonly Secret[];
  if (list.length === 0) throw new TypeError('phoneproof: `secret` must not be an empty list.');
  const all = list.map((s, i) => toKey(s, `secret[${i}]`));
  const lookup =
    lookupSecret === undefined ? all[all.length - 1]! : toKey(lookupSecret, 'lookupSecret');
  return { current: all[0]!, all, lookup, sealKeys: all.map((k) => subkey(k, 'seal')) };
}

function toKey(s: Secret, name: string): Buffer {
  if (typeof s !== 'string' && !(s instanceof Uint8Array)) {
    throw new TypeError(`phoneproof: ${name} must be a string or Uint8Array.`);
  }
  const key = typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s);
  if (key.length < MIN_SECRET_BYTES) {
    throw new TypeError(
      `phoneproof: ${name} is ${key.length} bytes; at least ${MIN_SECRET_BYTES} are required ` +
        '(for example: node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))").',
    );
  }
  return key;
}

/** HMAC-SHA256 of `parts` joined by a separator that cannot occur in them, base64url. */
export function hmac(key: Buffer, ...parts: string[]): string {
  return createHmac('sha256', key).update(parts.join('\u0000')).digest('base64url');
}

/** The store-key fragment for a phone: never the number itself. */
export function phoneKey(ring: Keyring, e164: string): string {
  return hmac(ring.lookup, 'phone', e164).slice(0, 32);
}

/** Digest of a code bound to its verification and purpose. */
export function codeDigest(
  key: Buffer,
  verificationId: string,
  purpose: string,
  code: string,
): string {
  return hmac(key, 'code', verificationId, purpose, code);
}

/** Compares two digests in constant time (length leaks nothing: digests are fixed-size). */
export function digestEquals(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when `code` matches `digest` under any secret of the ring. */
export function codeMatches(
  ring: Keyring,
  digest: string,
  verificationId: string,
  purpose: string,
  code: string,
): boolean {
  let match = false;
  for (const key of ring.all) {
    // Evaluate every key so timing does not reveal which secret matched.
    if (digestEquals(codeDigest(key, verificationId, purpose, code), digest)) match = true;
  }
  return match;
}

/** Derives a purpose-specific subkey so one secret never keys two algorithms. */
export function subkey(key: Buffer, label: string): Buffer {
  return createHmac('sha256', key).update(`phoneproof:${label}`).digest();
}

/** Encrypts `plaintext` with AES-256-GCM under the current secret: base64url(iv|tag|ct). */
export function seal(ring: Keyring, plaintext: string, iv: Uint8Array): string {
  const cipher = createCipheriv('aes-256-gcm', ring.sealKeys[0]!, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
}

/** Decrypts a `seal` output under any secret of the ring; undefined when none fits. */
export function unseal(ring: Keyring, sealed: string): string | undefined {
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length < 28) return undefined;
  for (const key of ring.sealKeys) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      // wrong key: try the next one
    }
  }
  return undefined;
}
