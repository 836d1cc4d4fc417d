/** The helpers `phoneproof/testing` gives applications: the clock and the arbitraries. */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { normalizePhone } from '../../src/phone';
import {
  DEFAULT_TEST_COUNTRIES,
  outboxSender,
  phoneNumber,
  TEST_CLOCK_START,
  testClock,
  verificationCode,
} from '../../src/testing/index';

describe('testClock', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('moves only when told, and never backwards', () => {
    const clock = testClock();
    expect(clock.now()).toBe(TEST_CLOCK_START);
    expect(clock.advance(1_500)).toBe(TEST_CLOCK_START + 1_500);
    expect(clock.now()).toBe(TEST_CLOCK_START + 1_500);
    clock.set(TEST_CLOCK_START + 10_000);
    expect(clock.now()).toBe(TEST_CLOCK_START + 10_000);
    expect(() => clock.set(TEST_CLOCK_START)).toThrow(RangeError);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(clock.now()).toBe(TEST_CLOCK_START + 10_000);
  });

  it('is refused in production', () => {
    vi.stubEnv('NODE_ENV', 'production');
    expect(() => testClock()).toThrow(/testClock is for tests/);
  });
});

describe('outboxSender', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is refused in production unless allowInProduction, since it keeps every code in memory', () => {
    vi.stubEnv('NODE_ENV', 'production');
    expect(() => outboxSender()).toThrow(/outboxSender is for tests/);
    expect(outboxSender({ allowInProduction: true }).messages).toEqual([]);
    vi.stubEnv('NODE_ENV', 'test');
    expect(outboxSender().messages).toEqual([]);
  });
});

describe('phoneNumber', () => {
  it('draws valid numbers of the named countries only', () => {
    for (const country of [...DEFAULT_TEST_COUNTRIES, 'NG', 'MX']) {
      for (const n of fc.sample(phoneNumber(country), 40)) {
        expect(normalizePhone(n)._unsafeUnwrap()).toEqual({ number: n, country });
      }
    }
  });

  it('varies the numbers it draws, across the default countries', () => {
    const drawn = fc.sample(phoneNumber(), 200);
    expect(new Set(drawn).size).toBeGreaterThan(150);
    const countries = new Set(drawn.map((n) => normalizePhone(n)._unsafeUnwrap().country));
    expect([...countries].sort()).toEqual([...DEFAULT_TEST_COUNTRIES].sort());
  });

  it('refuses an unknown country or none', () => {
    expect(() => phoneNumber('ZZ')).toThrow(RangeError);
    expect(() => phoneNumber([])).toThrow(RangeError);
  });
});

describe('verificationCode', () => {
  it('draws codes in the policy format', () => {
    for (const c of fc.sample(verificationCode(), 50)) expect(c).toMatch(/^\d{6}$/);
    const alnum = fc.sample(verificationCode({ alphabet: 'alphanumeric', codeLength: 8 }), 50);
    for (const c of alnum) expect(c).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
  });
});
