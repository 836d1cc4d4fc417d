/**
 * Byte encodings on `Uint8Array`, Web APIs only (no `Buffer`): UTF-8, base64 (padded),
 * base64url (unpadded), hex, and concatenation. Decoding is as lenient as Node's `Buffer`
 * was (both base64 alphabets, padding and whitespace ignored, a trailing partial byte
 * dropped) but refuses any other character, returning undefined. @internal
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The UTF-8 bytes of `text`. */
export const utf8 = (text: string): Uint8Array => encoder.encode(text);

/** `bytes` decoded as UTF-8 (invalid sequences become U+FFFD, as `Buffer` did). */
export const fromUtf8 = (bytes: Uint8Array): string => decoder.decode(bytes);

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Character code -> 6-bit value for both alphabets; -1 invalid, -2 skipped (padding, space). */
const VALUES = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) {
    t[STD.charCodeAt(i)] = i;
    t[URL_SAFE.charCodeAt(i)] = i;
  }
  for (const c of '= \t\r\n') t[c.charCodeAt(0)] = -2;
  return t;
})();

function encode64(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      alphabet[v >>> 18]! +
      alphabet[(v >>> 12) & 63]! +
      alphabet[(v >>> 6) & 63]! +
      alphabet[v & 63]!;
  }
  if (i < n) {
    const v = (bytes[i]! << 16) | ((i + 1 < n ? bytes[i + 1]! : 0) << 8);
    out += alphabet[v >>> 18]! + alphabet[(v >>> 12) & 63]!;
    if (i + 1 < n) out += alphabet[(v >>> 6) & 63]!;
    if (pad) out += i + 1 < n ? '=' : '==';
  }
  return out;
}

/** Standard base64 with padding (RFC 4648 section 4). */
export const toBase64 = (bytes: Uint8Array): string => encode64(bytes, STD, true);

/** base64url without padding (RFC 4648 section 5). */
export const toBase64Url = (bytes: Uint8Array): string => encode64(bytes, URL_SAFE, false);

/** Decodes base64 or base64url; undefined when `text` holds a character of neither. */
export function fromBase64(text: string): Uint8Array | undefined {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? VALUES[c]! : -1;
    if (v === -1) return undefined;
    if (v === -2) continue;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (acc >>> bits) & 0xff;
    }
  }
  return at === out.length ? out : out.slice(0, at);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!]!;
  return out;
}

/** The bytes of `parts`, one after another, in a new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
