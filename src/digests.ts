/**
 * Keyed digests: HMAC-SHA256 of joined parts, the store-key fragment of a phone number (never
 * the number itself), the digest of a code bound to its verification and purpose, and their
 * constant-time comparison under every secret of the ring. Computation only (./crypto), no
 * I/O. Re-exported by ./secrets.ts, the entry for all secret handling.
 * @internal
 * @module
 */
import { hmacText, timingSafeEqual } from './crypto';
import type { Keyring } from './keyring';

/** HMAC-SHA256 of `parts` joined by a separator that cannot occur in them, base64url. */
export function hmac(key: Uint8Array, ...parts: string[]): string {
  return hmacText('sha256', key, parts.join('\u0000'), 'base64url');
}

/** The store-key fragment for a phone: never the number itself. */
export function phoneKey(ring: Keyring, e164: string): string {
  return hmac(ring.lookup, 'phone', e164).slice(0, 32);
}

/** Digest of a code bound to its verification and purpose. */
export function codeDigest(
  key: Uint8Array,
  verificationId: string,
  purpose: string,
  code: string,
): string {
  return hmac(key, 'code', verificationId, purpose, code);
}

/** Compares two digests in constant time (length leaks nothing: digests are fixed-size). */
export function digestEquals(a: string, b: string): boolean {
  return timingSafeEqual(a, b);
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
