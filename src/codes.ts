/**
 * One-time codes: uniform generation from a CSPRNG (rejection sampling, no modulo bias).
 * @module
 */

/** Digits only. */
export const NUMERIC_ALPHABET = '0123456789';
/** Upper-case letters and digits without look-alikes (no 0/O, 1/I/L). */
export const ALPHANUMERIC_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** Fills a buffer with cryptographically secure random bytes (the random-source port). */
export type RandomBytes = (size: number) => Uint8Array;

/**
 * Draws a code of `length` characters uniformly from `alphabet`. Bytes at or above the
 * largest multiple of the alphabet size are discarded, so every character is equally likely.
 */
export function generateCode(random: RandomBytes, length: number, alphabet: string): string {
  const n = alphabet.length;
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < length) {
    const bytes = random(Math.max(8, (length - out.length) * 2));
    for (const b of bytes) {
      if (b >= limit) continue;
      out += alphabet[b % n];
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * Normalizes user-typed code input for comparison: drops spaces and dashes, upper-cases
 * letters. Returns undefined when the result cannot be a code of this shape.
 */
export function normalizeCodeInput(
  input: unknown,
  length: number,
  alphabet: string,
): string | undefined {
  if (typeof input !== 'string' || input.length > 64) return undefined;
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== length) return undefined;
  for (const ch of code) if (!alphabet.includes(ch)) return undefined;
  return code;
}
