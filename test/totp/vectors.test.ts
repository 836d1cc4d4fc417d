/**
 * RFC 4226 Appendix D and RFC 6238 Appendix B test vectors, through the production code:
 * phoneproof's own HOTP/TOTP functions the verifier uses (src/totp/otp.ts; agreement with
 * otplib on random inputs: test/property/otp-otplib.test.ts), and the verifier itself (an
 * imported secret confirmed with the RFC code at the RFC time).
 */
import { describe, expect, it } from 'vitest';
import { totp } from '../../src/totp/index';
import { hotp, toBase32, totpAt } from '../../src/totp/otp';
import { totpSetup } from './support';

const RFC4226_SECRET = Buffer.from('12345678901234567890', 'ascii');
const RFC4226 = [
  '755224',
  '287082',
  '359152',
  '969429',
  '338314',
  '254676',
  '287922',
  '162583',
  '399871',
  '520489',
];

// RFC 4226 Appendix D: the dynamically truncated 31-bit value ("Decimal") per counter; a
// code of d digits is its last d digits (7 and 8 digits are the other lengths we allow).
const RFC4226_TRUNCATED = [
  1284755224, 1094287082, 137359152, 1726969429, 1640338314, 868254676, 1918287922, 82162583,
  673399871, 645520489,
];

const SEEDS = {
  sha1: Buffer.from('12345678901234567890', 'ascii'),
  sha256: Buffer.from('12345678901234567890123456789012', 'ascii'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
} as const;

// RFC 6238 Appendix B: time (s), TOTP, mode.
const RFC6238: Array<[number, string, keyof typeof SEEDS]> = [
  [59, '94287082', 'sha1'],
  [59, '46119246', 'sha256'],
  [59, '90693936', 'sha512'],
  [1111111109, '07081804', 'sha1'],
  [1111111109, '68084774', 'sha256'],
  [1111111109, '25091201', 'sha512'],
  [1111111111, '14050471', 'sha1'],
  [1111111111, '67062674', 'sha256'],
  [1111111111, '99943326', 'sha512'],
  [1234567890, '89005924', 'sha1'],
  [1234567890, '91819424', 'sha256'],
  [1234567890, '93441116', 'sha512'],
  [2000000000, '69279037', 'sha1'],
  [2000000000, '90698825', 'sha256'],
  [2000000000, '38618901', 'sha512'],
  [20000000000, '65353130', 'sha1'],
  [20000000000, '77737706', 'sha256'],
  [20000000000, '47863826', 'sha512'],
];

describe('RFC 4226 Appendix D (HOTP)', () => {
  it.each(RFC4226.map((code, counter) => [counter, code] as const))(
    'counter %i -> %s',
    (counter, code) => {
      expect(hotp(RFC4226_SECRET, counter, { algorithm: 'sha1', digits: 6 })).toBe(code);
    },
  );
});

describe('RFC 4226 Appendix D (HOTP), 7 and 8 digits from the truncated value', () => {
  it.each(RFC4226_TRUNCATED.map((value, counter) => [counter, value] as const))(
    'counter %i -> %i',
    (counter, value) => {
      for (const digits of [7, 8]) {
        const code = String(value % 10 ** digits).padStart(digits, '0');
        expect(hotp(RFC4226_SECRET, counter, { algorithm: 'sha1', digits })).toBe(code);
      }
    },
  );
});

describe('RFC 6238 Appendix B (TOTP, 8 digits, 30 s)', () => {
  it.each(RFC6238)('T=%i -> %s (%s)', (seconds, code, algorithm) => {
    expect(totpAt(SEEDS[algorithm], seconds * 1000, { algorithm, digits: 8, period: 30 })).toBe(
      code,
    );
  });

  it.each(RFC6238)(
    'the verifier accepts at T=%i the code %s (%s), once',
    async (seconds, code, algorithm) => {
      const t = totpSetup({ totp: totp({ algorithm, digits: 8, qr: false }) }, seconds * 1000);
      const subject = `rfc-${algorithm}`;
      const e = await t.verifier.totp.enroll({ subject, secret: toBase32(SEEDS[algorithm]) });
      expect(e._unsafeUnwrap().uri).toContain(`digits=8`);
      const wrongCode = String((Number(code) + 1) % 1e8).padStart(8, '0');
      expect(
        (await t.verifier.totp.confirm({ subject, token: wrongCode }))._unsafeUnwrapErr().code,
      ).toBe('invalid_token');
      const confirmed = await t.verifier.totp.confirm({ subject, token: code });
      expect(confirmed.isOk()).toBe(true);
      // The same code (same time step) is never accepted again.
      const again = await t.verifier.totp.verify({ subject, token: code });
      expect(again._unsafeUnwrapErr().code).toBe('invalid_token');
    },
  );
});
