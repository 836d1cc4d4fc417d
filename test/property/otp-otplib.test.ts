/**
 * phoneproof's own HOTP/TOTP, base32 and `otpauth://` URIs (src/totp/otp.ts, base32.ts)
 * against otplib 13, which computed them before (now a devDependency used only here): the
 * same codes for random secrets, counters, digits and algorithms (otplib with its own noble
 * HMAC, so an independent implementation), the same base32 as its `@scure/base` plugin in
 * both directions (rejections included), the same URIs as its `generateURI`.
 */
import { fc, test } from '@fast-check/vitest';
import { generateSync, generateURI, NobleCryptoPlugin, ScureBase32Plugin } from 'otplib';
import { describe, expect, it } from 'vitest';
import { decodeBase32, encodeBase32 } from '../../src/totp/base32';
import { fromBase32, hotp, otpauthUri, toBase32, totpAt } from '../../src/totp/otp';

const crypto = new NobleCryptoPlugin();
const scure = new ScureBase32Plugin();

const secret = fc.uint8Array({ minLength: 16, maxLength: 64 });
const algorithm = fc.constantFrom('sha1' as const, 'sha256' as const, 'sha512' as const);
const digits = fc.integer({ min: 6, max: 8 });
const counter = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 32 + 2 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);
const period = fc.oneof(fc.constant(30), fc.integer({ min: 1, max: 3600 }));

/** What the replaced code did: otplib's scure plugin, after the same normalization. */
function scureDecode(clean: string): Uint8Array | undefined {
  if (clean.length === 0 || !/^[A-Z2-7]+$/.test(clean)) return undefined;
  try {
    return scure.decode(clean);
  } catch {
    return undefined;
  }
}

describe('HOTP/TOTP agree with otplib generateSync', () => {
  test.prop([secret, counter, digits, algorithm], { numRuns: 500 })(
    'hotp(secret, counter)',
    (s, c, d, a) => {
      const theirs = generateSync({
        strategy: 'hotp',
        secret: s,
        counter: c,
        algorithm: a,
        digits: d,
        crypto,
      });
      expect(hotp(s, c, { algorithm: a, digits: d })).toBe(theirs);
    },
  );

  test.prop([secret, fc.integer({ min: 0, max: 4102444800000 }), period, digits, algorithm], {
    numRuns: 200,
  })('totpAt(secret, epochMs)', (s, ms, p, d, a) => {
    const theirs = generateSync({
      strategy: 'totp',
      secret: s,
      epoch: Math.floor(ms / 1000),
      period: p,
      algorithm: a,
      digits: d,
      crypto,
    });
    expect(totpAt(s, ms, { algorithm: a, digits: d, period: p })).toBe(theirs);
  });

  it('throws on the parameters otplib refused, and on digits outside 6-8', () => {
    const p = { algorithm: 'sha1', digits: 6 } as const;
    for (const bad of [new Uint8Array(15), new Uint8Array(65)]) {
      expect(() => generateSync({ strategy: 'hotp', secret: bad, counter: 0, crypto })).toThrow();
      expect(() => hotp(bad, 0, p)).toThrow(/secret of \d+ bytes \(16 to 64 allowed\)/);
    }
    for (const c of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) {
      expect(() => hotp(new Uint8Array(20), c, p)).toThrow(/counter .* not a non-negative integer/);
    }
    for (const d of [5, 9, 6.5]) {
      expect(() => hotp(new Uint8Array(20), 0, { algorithm: 'sha1', digits: d })).toThrow(
        /digits .* \(6 to 8 allowed\)/,
      );
    }
    expect(() => hotp(new Uint8Array(20), 0, { algorithm: 'sha1', digits: 5 })).toThrow(RangeError);
  });
});

describe('base32 agrees with otplib ScureBase32Plugin (@scure/base)', () => {
  test.prop([fc.uint8Array({ maxLength: 80 })], { numRuns: 1000 })(
    'encodes like it (unpadded) and round-trips',
    (bytes) => {
      const text = toBase32(bytes);
      expect(text).toBe(scure.encode(bytes, { padding: false }));
      expect(scure.encode(bytes, { padding: true })).toBe(
        text.padEnd(Math.ceil(text.length / 8) * 8, '='),
      );
      if (bytes.length > 0) expect(fromBase32(text)).toEqual(bytes);
      expect(fromBase32(text.toLowerCase().replace(/(.{4})/g, '$1 '))).toEqual(
        bytes.length > 0 ? bytes : undefined,
      );
    },
  );

  // Any string over the alphabet: every length modulo 8, canonical or not (trailing bits).
  const alphabetText = fc.string({
    unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'),
    maxLength: 40,
  });
  test.prop([alphabetText], { numRuns: 2000 })(
    'decodes and rejects exactly what it did',
    (text) => {
      expect(decodeBase32(text)).toEqual(
        scureDecode(text) ?? (text === '' ? new Uint8Array(0) : undefined),
      );
    },
  );

  // People's input: case, spaces, dashes, padding, and characters outside the alphabet.
  const typed = fc.string({
    unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcxyz=-  0189!éß\u0080\uff21'),
    maxLength: 40,
  });
  test.prop([typed], { numRuns: 2000 })('fromBase32 matches the otplib-based version', (text) => {
    const clean = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
    expect(fromBase32(text)).toEqual(scureDecode(clean));
  });

  it('rejects what is not canonical base32', () => {
    for (const bad of ['A', 'ABC', 'ABCDEF', 'AB', 'MZXW6YTBOI======X', 'MZ1W', 'MZXW6===A']) {
      expect(fromBase32(bad)).toBeUndefined();
    }
    expect(fromBase32('MY')).toEqual(new Uint8Array([0x66]));
    expect(fromBase32('mzxw6ytboi======')).toEqual(new TextEncoder().encode('foobar'));
  });

  it('RFC 4648 section 10 vectors', () => {
    const vectors = ['', 'MY', 'MZXQ', 'MZXW6', 'MZXW6YQ', 'MZXW6YTB', 'MZXW6YTBOI'];
    vectors.forEach((v, i) => {
      expect(encodeBase32(new TextEncoder().encode('foobar'.slice(0, i)))).toBe(v);
    });
  });
});

describe('otpauth URIs agree with otplib generateURI', () => {
  // Any text, with the characters a URI gives a meaning to drawn often.
  const unit = fc.oneof(
    fc.constantFrom(...':/?#&=%@+ '),
    fc.string({ unit: 'grapheme', maxLength: 1 }),
  );
  const label = fc.string({ minLength: 1, maxLength: 40, unit });
  test.prop(
    [
      fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 64 }), fc.constant(new Uint8Array(0))),
      fc.oneof(label, fc.constant('')),
      label,
      algorithm,
      digits,
      period,
    ],
    { numRuns: 500 },
  )('otpauthUri(...) = generateURI({ strategy: totp, ... })', (bytes, issuer, account, a, d, p) => {
    const secretBase32 = toBase32(bytes);
    const theirs = generateURI({
      strategy: 'totp',
      issuer,
      label: account,
      secret: secretBase32,
      algorithm: a,
      digits: d,
      period: p,
    });
    expect(otpauthUri(secretBase32, issuer, account, { algorithm: a, digits: d, period: p })).toBe(
      theirs,
    );
  });

  it('a known URI: every parameter, encoded label and issuer', () => {
    expect(
      otpauthUri('JBSWY3DPEHPK3PXP', 'Example Co', 'ana@example.com', {
        algorithm: 'sha256',
        digits: 8,
        period: 60,
      }),
    ).toBe(
      'otpauth://totp/Example%20Co:ana%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example%20Co&algorithm=SHA256&digits=8&period=60',
    );
  });
});
