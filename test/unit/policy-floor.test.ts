/**
 * The floor under a policy (`src/core/strength.ts`) and the bounds it is computed from
 * (`src/core/bounds.ts`): a policy that lets a guesser succeed against one phone with a chance
 * above 1e-3 a day, that has no send window, or whose codes live longer than an hour is
 * refused with a message naming the figures, unless `unsafe: { weakPolicy: true }`.
 */
import { describe, expect, it } from 'vitest';
import {
  guessProbabilityPerDay,
  keysToDenyDays,
  keysToFill,
  maxGuessesPerDay,
  maxSendsInSpan,
  maxSendsPerDay,
  oneKeyCanDeny,
  requesterSendsPerDay,
} from '../../src/core/bounds';
import { type PolicyOptions, resolvePolicy } from '../../src/core/policy';
import { assertPolicyFloor, formatProbability, policyWeaknesses } from '../../src/core/strength';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const floor = (o: PolicyOptions, unsafe?: unknown) => () =>
  assertPolicyFloor(resolvePolicy(o), unsafe);

describe('bounds', () => {
  it('the defaults allow 15 codes in 24 h plus a code lifetime, 75 guesses, 7.5e-5', () => {
    const p = resolvePolicy();
    expect(maxSendsPerDay(p)).toBe(10);
    expect(maxGuessesPerDay(p)).toBe(75);
    expect(guessProbabilityPerDay(p)).toBeCloseTo(7.5e-5, 12);
    expect(requesterSendsPerDay(p)).toBe(3);
  });

  it('maxSendsInSpan takes the tightest cover of whole windows and a remainder', () => {
    const w = [
      { windowMs: HOUR, max: 5 },
      { windowMs: DAY, max: 10 },
    ];
    expect(maxSendsInSpan(w, 0)).toBe(0);
    expect(maxSendsInSpan(w, -1)).toBe(0);
    expect(maxSendsInSpan(w, 1)).toBe(5);
    expect(maxSendsInSpan(w, HOUR)).toBe(5);
    expect(maxSendsInSpan(w, HOUR + 1)).toBe(10);
    expect(maxSendsInSpan(w, 3 * HOUR)).toBe(10);
    expect(maxSendsInSpan(w, DAY + 1)).toBe(15);
    expect(maxSendsInSpan(w, 2 * DAY)).toBe(20);
    expect(maxSendsInSpan([], DAY)).toBe(Number.POSITIVE_INFINITY);
  });

  it('the chance is capped at 1 and grows with checks', () => {
    expect(guessProbabilityPerDay(resolvePolicy({ alphabet: '01', codeLength: 4 }))).toBe(1);
    expect(maxGuessesPerDay(resolvePolicy({ maxChecks: 10 }))).toBe(150);
  });

  it('a requester share is the lesser of its windows and the phone windows', () => {
    const p = resolvePolicy({ requesterSendWindows: [{ windowMs: DAY, max: 50 }] });
    expect(requesterSendsPerDay(p)).toBe(10);
  });

  it('how many requester keys fill a window, and whether one alone can deny', () => {
    const p = resolvePolicy();
    expect(keysToFill(p, { windowMs: DAY, max: 10 })).toBe(4);
    expect(keysToFill(p, { windowMs: HOUR, max: 5 })).toBe(2);
    expect(keysToDenyDays(p)).toBe(4);
    expect(oneKeyCanDeny(p)).toBe(false);
    const open = resolvePolicy({ requesterSendWindows: [] });
    expect(keysToFill(open, { windowMs: DAY, max: 10 })).toBe(1);
    expect(oneKeyCanDeny(open)).toBe(true);
    expect(oneKeyCanDeny(resolvePolicy({ lockout: { requesters: 1 } }))).toBe(true);
    expect(oneKeyCanDeny(resolvePolicy({ lockout: { requesters: 2 } }))).toBe(false);
    expect(oneKeyCanDeny(resolvePolicy({ lockout: false }))).toBe(false);
    const shareOfOne = resolvePolicy({ requesterSendWindows: [{ windowMs: DAY, max: 5 }] });
    expect(keysToFill(shareOfOne, { windowMs: HOUR, max: 5 })).toBe(1);
    expect(oneKeyCanDeny(shareOfOne)).toBe(true);
    const hourly = resolvePolicy({ sendWindows: [{ windowMs: HOUR, max: 5 }] });
    expect(keysToDenyDays(hourly)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('policy floor', () => {
  it('accepts the defaults and a policy just under the limit', () => {
    expect(policyWeaknesses(resolvePolicy())).toEqual([]);
    expect(floor({})).not.toThrow();
    expect(floor({ maxChecks: 66 })).not.toThrow();
    expect(floor({ codeTtlMs: HOUR })).not.toThrow();
  });

  it('refuses a guess chance above 1e-3 a day, naming the figures', () => {
    expect(floor({ maxChecks: 67 })).toThrow(
      'a guesser succeeds against one phone with probability up to 1.0e-3 per day ' +
        '(1005 guesses a day against 1000000 possible codes), above the limit 1e-3',
    );
    expect(floor({ alphabet: '01', codeLength: 4 })).toThrow(
      /probability up to 1 per day \(75 guesses a day against 16 possible codes\)/,
    );
  });

  it('refuses a policy without send windows (unbounded guesses)', () => {
    const w = policyWeaknesses(resolvePolicy({ sendWindows: [] }));
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/^sendWindows is empty/);
    expect(w[1]).toContain('(unbounded guesses a day against 1000000 possible codes)');
  });

  it('refuses codes that live longer than an hour', () => {
    expect(floor({ codeTtlMs: HOUR + 1 })).toThrow(/codeTtlMs is 3600001 ms \(1\.0 hours\)/);
    expect(floor({ codeTtlMs: 2 * HOUR })).toThrow(
      'codeTtlMs is 7200000 ms (2.0 hours), above the 1 hour limit',
    );
  });

  it('lists every weakness in one message with the way out', () => {
    const run = floor({ sendWindows: [], codeTtlMs: 2 * HOUR });
    expect(run).toThrow(TypeError);
    expect(run).toThrow(
      /^phoneproof: policy too weak: sendWindows is empty.*; a guesser.*; codeTtlMs/,
    );
    expect(run).toThrow(/unsafe: \{ weakPolicy: true \}/);
  });

  it('only an explicit boolean weakPolicy: true lets a weak policy through', () => {
    const weak = { codeLength: 4 };
    expect(floor(weak, { weakPolicy: true })).not.toThrow();
    expect(floor(weak, { weakPolicy: false })).toThrow(/policy too weak/);
    expect(floor(weak, {})).toThrow(/policy too weak/);
    expect(floor(weak)).toThrow(/policy too weak/);
    expect(floor(weak, { weakPolicy: 'yes' })).toThrow(
      'phoneproof: unsafe.weakPolicy must be a boolean.',
    );
    expect(floor({}, 'all')).toThrow(
      'phoneproof: unsafe must be an object, e.g. { weakPolicy: true }.',
    );
    expect(floor({}, null)).toThrow(/unsafe must be an object/);
    expect(floor({}, {})).not.toThrow();
  });

  it('formats probabilities for the message', () => {
    expect(formatProbability(1)).toBe('1');
    expect(formatProbability(2)).toBe('1');
    expect(formatProbability(0.0075)).toBe('7.5e-3');
    expect(formatProbability(0.5)).toBe('5.0e-1');
  });
});
