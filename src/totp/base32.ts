/**
 * Base32 (RFC 4648 section 6, upper-case alphabet `A-Z2-7`) for authenticator secrets:
 * encoding without padding, as authenticator apps expect in `otpauth://` URIs, and strict
 * decoding of the canonical unpadded form (what `@scure/base` accepts once padded: a
 * length of 0, 2, 4, 5 or 7 characters modulo 8, and zero bits after the last byte).
 * Input normalization (case, spaces, padding) belongs to the caller (./otp.ts). @internal
 * @module
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Character code -> 5-bit value; -1 (or, past 127, undefined) outside the alphabet. */
const VALUES = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 32; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

/** `bytes` in base32, upper case, unpadded. */
export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * The bytes of canonical unpadded base32 `text`; undefined for any other character (lower
 * case and `=` included), an impossible length, or non-zero bits after the last byte.
 */
export function decodeBase32(text: string): Uint8Array | undefined {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = VALUES[code] ?? -1;
    if (value < 0) return undefined;
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (buffer >>> bits) & 0xff;
    }
  }
  // A whole unused character (5 to 7 bits left) or set bits past the last byte: not canonical.
  if (bits >= 5 || (buffer & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}
