/**
 * A policy is checked once, when the verifier is built: every limit has a range, and a value
 * outside it (or of the wrong kind) is refused with a message that names the option and the
 * range. Values at the edges of each range are accepted; the defaults are as documented.
 */
import { describe, expect, it } from 'vitest';
import { ALPHANUMERIC_ALPHABET, NUMERIC_ALPHABET } from '../../src/codes';
import {
  defaultLockout,
  defaultPolicy,
  type LockoutPolicy,
  lockDuration,
  type PolicyOptions,
  resendCooldown,
  resolvePolicy,
} from '../../src/core/policy';

const DAY = 86_400_000;
const MAX_MS = 366 * DAY;

const refuse = (options: PolicyOptions, message: string) =>
  expect(() => resolvePolicy(options)).toThrow(new TypeError(`phoneproof: policy.${message}`));

const intRange = (name: string, min: number, max: number, got: string) =>
  `${name} must be an integer from ${min} to ${max} (got ${got}).`;
const durationMsg = (name: string, min: number, got: string) =>
  `${name} must be a duration in milliseconds, at least ${min} (got ${got}).`;
const factorMsg = (name: string, got: string) =>
  `${name} must be a number from 1 to 100 (got ${got}).`;

describe('policy validation', () => {
  it('resolves to the defaults when nothing is given', () => {
    expect(resolvePolicy()).toEqual(defaultPolicy);
    expect(resolvePolicy({})).toEqual(defaultPolicy);
    expect(resolvePolicy({ lockout: {} }).lockout).toEqual(defaultPolicy.lockout);
    expect(resolvePolicy({ lockout: false }).lockout).toBe(false);
  });

  const ints: [keyof PolicyOptions, number, number][] = [
    ['codeLength', 4, 10],
    ['maxChecks', 1, 100],
    ['maxSends', 1, 100],
    ['maxVerificationsPerPhone', 1, 100],
  ];
  it.each(ints)('%s is an integer in its range, edges included', (name, min, max) => {
    expect(resolvePolicy({ [name]: min })[name]).toBe(min);
    expect(resolvePolicy({ [name]: max })[name]).toBe(max);
    refuse({ [name]: min - 1 }, intRange(name, min, max, String(min - 1)));
    refuse({ [name]: max + 1 }, intRange(name, min, max, String(max + 1)));
    refuse({ [name]: min + 0.5 }, intRange(name, min, max, String(min + 0.5)));
    refuse({ [name]: Number.NaN }, intRange(name, min, max, 'NaN'));
  });

  const durations: [keyof PolicyOptions, number][] = [
    ['codeTtlMs', 10_000],
    ['resendCooldownMs', 0],
    ['maxResendCooldownMs', 0],
    ['retentionMs', 0],
  ];
  it.each(durations)('%s is a duration from its minimum to 366 days', (name, min) => {
    expect(resolvePolicy({ [name]: min })[name]).toBe(min);
    expect(resolvePolicy({ [name]: MAX_MS })[name]).toBe(MAX_MS);
    refuse({ [name]: min - 1 }, durationMsg(name, min, String(min - 1)));
    refuse({ [name]: MAX_MS + 1 }, durationMsg(name, min, String(MAX_MS + 1)));
    refuse({ [name]: Number.POSITIVE_INFINITY }, durationMsg(name, min, 'Infinity'));
    refuse({ [name]: Number.NaN }, durationMsg(name, min, 'NaN'));
  });

  it('retention defaults to the code TTL', () => {
    expect(resolvePolicy({ codeTtlMs: 20_000 }).retentionMs).toBe(20_000);
  });

  it('resendCooldownFactor is a number from 1 to 100', () => {
    expect(resolvePolicy({ resendCooldownFactor: 1 }).resendCooldownFactor).toBe(1);
    expect(resolvePolicy({ resendCooldownFactor: 100 }).resendCooldownFactor).toBe(100);
    expect(resolvePolicy({ resendCooldownFactor: 1.5 }).resendCooldownFactor).toBe(1.5);
    refuse({ resendCooldownFactor: 0.99 }, factorMsg('resendCooldownFactor', '0.99'));
    refuse({ resendCooldownFactor: 100.5 }, factorMsg('resendCooldownFactor', '100.5'));
    refuse({ resendCooldownFactor: Number.NaN }, factorMsg('resendCooldownFactor', 'NaN'));
  });

  it('lockout fields are checked by name', () => {
    const l = (lockout: Partial<LockoutPolicy>): PolicyOptions => ({ lockout });
    expect(resolvePolicy(l({ threshold: 1, requesters: 1000 })).lockout).toMatchObject({
      threshold: 1,
      requesters: 1000,
    });
    refuse(l({ threshold: 0 }), intRange('lockout.threshold', 1, 1000, '0'));
    refuse(l({ threshold: 1001 }), intRange('lockout.threshold', 1, 1000, '1001'));
    refuse(l({ requesters: 0 }), intRange('lockout.requesters', 1, 1000, '0'));
    refuse(l({ durationMs: 0 }), durationMsg('lockout.durationMs', 1, '0'));
    refuse(
      l({ maxDurationMs: MAX_MS + 1 }),
      durationMsg('lockout.maxDurationMs', 1, String(MAX_MS + 1)),
    );
    refuse(l({ forgetAfterMs: 0 }), durationMsg('lockout.forgetAfterMs', 1, '0'));
    refuse(l({ factor: 0.5 }), factorMsg('lockout.factor', '0.5'));
    expect(resolvePolicy(l({ durationMs: 1 })).lockout).toMatchObject({ durationMs: 1 });
  });

  it('send windows must be an array of valid windows, each named by its index', () => {
    for (const name of ['sendWindows', 'requesterSendWindows'] as const) {
      refuse({ [name]: { windowMs: 1000, max: 1 } as never }, `${name} must be an array.`);
      refuse(
        {
          [name]: [
            { windowMs: 1000, max: 1 },
            { windowMs: 0, max: 1 },
          ],
        },
        durationMsg(`${name}[1].windowMs`, 1, '0'),
      );
      refuse(
        { [name]: [{ windowMs: 1000, max: 0 }] },
        intRange(`${name}[0].max`, 1, 1_000_000, '0'),
      );
      refuse(
        { [name]: [{ windowMs: 1000, max: 1_000_001 }] },
        intRange(`${name}[0].max`, 1, 1_000_000, '1000001'),
      );
      // Only the two fields are kept, copied from what was given.
      const given = [{ windowMs: 1, max: 1_000_000, extra: true }];
      expect(resolvePolicy({ [name]: given })[name]).toEqual([{ windowMs: 1, max: 1_000_000 }]);
      expect(resolvePolicy({ [name]: [] })[name]).toEqual([]);
    }
  });

  it('the alphabet is numeric, alphanumeric or 2 to 64 distinct digits and capitals', () => {
    expect(resolvePolicy({ alphabet: 'numeric' }).alphabet).toBe(NUMERIC_ALPHABET);
    expect(resolvePolicy({ alphabet: 'alphanumeric' }).alphabet).toBe(ALPHANUMERIC_ALPHABET);
    expect(resolvePolicy({ alphabet: '01' }).alphabet).toBe('01');
    expect(resolvePolicy({ alphabet: 'AB12' }).alphabet).toBe('AB12');
    const count = 'alphabet must have 2 to 64 distinct characters.';
    refuse({ alphabet: '0' }, count);
    refuse({ alphabet: '' }, count);
    refuse({ alphabet: '0120' }, count);
    refuse({ alphabet: 'A'.repeat(65) }, count);
    const kind = 'alphabet may only hold digits and upper-case letters.';
    refuse({ alphabet: 'abc' }, kind);
    refuse({ alphabet: 'AB-' }, kind);
    refuse({ alphabet: '-AB' }, kind);
    refuse({ alphabet: 'AB\n' }, kind);
    refuse({ alphabet: 'AB C' }, kind);
  });

  it('resend cooldowns grow by the factor up to the maximum', () => {
    const p = resolvePolicy({
      resendCooldownMs: 1000,
      resendCooldownFactor: 3,
      maxResendCooldownMs: 20_000,
    });
    expect([1, 2, 3, 4].map((n) => resendCooldown(p, n))).toEqual([1000, 3000, 9000, 20_000]);
    expect(resendCooldown(p, 0)).toBe(1000);
  });

  it('locks grow by the factor up to the longest lock', () => {
    const l = { ...defaultLockout, durationMs: 1000, factor: 2, maxDurationMs: 5000 };
    expect([1, 2, 3, 4].map((n) => lockDuration(l, n))).toEqual([1000, 2000, 4000, 5000]);
    expect(lockDuration(l, 0)).toBe(1000);
  });
});
