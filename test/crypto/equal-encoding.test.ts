/**
 * The crypto module's entry points that other code calls with text (src/crypto/index.ts): the
 * constant-time comparison of strings (compared as their UTF-8 bytes, as digests and
 * signatures are), the encoders the module exports (RFC 4648 test vectors), and the portable
 * base64 decoder refusing a character beyond ASCII.
 */
import { describe, expect, it } from 'vitest';
import { timingSafeEqual, toBase64, toBase64Url, toHex } from '../../src/crypto';
import { fromBase64 } from '../../src/crypto/encoding';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('timingSafeEqual', () => {
  it('compares strings as their UTF-8 bytes', () => {
    expect(timingSafeEqual('sha256=ab12', 'sha256=ab12')).toBe(true);
    expect(timingSafeEqual('sha256=ab12', 'sha256=ab13')).toBe(false);
    expect(timingSafeEqual('abc', 'abcd')).toBe(false);
    expect(timingSafeEqual('', '')).toBe(true);
    expect(timingSafeEqual('caf\u00e9', bytes('caf\u00e9'))).toBe(true);
    expect(timingSafeEqual(bytes('caf\u00e9'), 'caf\u00e9')).toBe(true);
    expect(timingSafeEqual('caf\u00e9', bytes('cafe'))).toBe(false);
    // 'é' is two bytes: the same length in characters is not the same length in bytes.
    expect(timingSafeEqual('caf\u00e9', 'cafe')).toBe(false);
  });
});

describe('the exported encoders (RFC 4648 section 10)', () => {
  it('base64, base64url and hex', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [text, b64] of vectors) {
      expect(toBase64(bytes(text)), text).toBe(b64);
      expect(toBase64Url(bytes(text)), text).toBe(b64.replace(/=+$/, ''));
    }
    expect(toBase64(Uint8Array.of(0xfb, 0xff, 0xbf))).toBe('+/+/');
    expect(toBase64Url(Uint8Array.of(0xfb, 0xff, 0xbf))).toBe('-_-_');
    expect(toHex(Uint8Array.of(0, 0x0f, 0xa0, 0xff))).toBe('000fa0ff');
  });
});

describe('fromBase64', () => {
  it('refuses a character beyond ASCII, U+0080 included', () => {
    expect(fromBase64('Zm9v')).toEqual(bytes('foo'));
    for (const c of ['\u0080', '\u00ff', '\u0100', '\u{1f600}']) {
      expect(fromBase64(`Zm9v${c}`), JSON.stringify(c)).toBeUndefined();
      expect(fromBase64(`Z${c}m9v`), JSON.stringify(c)).toBeUndefined();
    }
  });
});
