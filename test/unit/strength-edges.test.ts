/**
 * The policy floor of src/core/strength.ts at its edges: a chance of exactly 1e-3 a day is
 * accepted and one guess more is not; the refusal tells what to change and where to read.
 */
import { describe, expect, it } from 'vitest';
import { guessProbabilityPerDay } from '../../src/core/bounds';
import { resolvePolicy } from '../../src/core/policy';
import { assertPolicyFloor, formatProbability, policyWeaknesses } from '../../src/core/strength';

const DAY = 86_400_000;
// 10 sends in any 24 h + code lifetime, 4 numeric digits: 10 guesses per check allowed.
const atLimit = (maxChecks: number) =>
  resolvePolicy({ codeLength: 4, maxChecks, sendWindows: [{ windowMs: 2 * DAY, max: 10 }] });

describe('the policy floor at its edges', () => {
  it('a chance of exactly 1e-3 a day meets the floor; above it does not', () => {
    expect(guessProbabilityPerDay(atLimit(1))).toBe(1e-3);
    expect(policyWeaknesses(atLimit(1))).toEqual([]);
    expect(() => assertPolicyFloor(atLimit(1), undefined)).not.toThrow();
    expect(policyWeaknesses(atLimit(2))).toHaveLength(1);
  });

  it('the refusal names the remedies and the documentation', () => {
    expect(policyWeaknesses(atLimit(2))[0]).toBe(
      'a guesser succeeds against one phone with probability up to 2.0e-3 per day ' +
        '(20 guesses a day against 10000 possible codes), above the limit 1e-3: lengthen ' +
        'codeLength, use a larger alphabet, lower maxChecks or tighten sendWindows',
    );
    expect(() => assertPolicyFloor(atLimit(2), undefined)).toThrow(
      /Strengthen the policy, or accept the risk explicitly with `unsafe: \{ weakPolicy: true \}` \(tests, benchmarks\)\. See docs\/security\.md \("Policy floor"\)\.$/,
    );
  });

  it('formats probabilities with a plain exponent', () => {
    expect(formatProbability(0)).toBe('0.0e0');
    expect(formatProbability(7.5e-5)).toBe('7.5e-5');
    expect(formatProbability(1)).toBe('1');
  });
});
