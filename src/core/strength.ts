/**
 * The floor under a policy: refused at construction when a guesser's chance against one
 * phone exceeds 1e-3 per day (the bound of `./bounds`), when no send window limits the
 * codes sent to a phone, or when a code lives longer than an hour; unless the app opts in
 * with `unsafe: { weakPolicy: true }`. Throws only for that misconfiguration.
 * @module
 */
import { guessProbabilityPerDay, maxGuessesPerDay } from './bounds';
import type { Policy } from './policy';

/** The limits a policy must meet without the `unsafe.weakPolicy` opt-in. */
export const POLICY_FLOOR = {
  /** Highest chance that guessing succeeds against one phone within any rolling 24 hours. */
  guessProbabilityPerDay: 1e-3,
  /** Longest code lifetime (`codeTtlMs`): one hour. */
  maxCodeTtlMs: 3_600_000,
} as const;

/** The explicit opt-outs of safety floors (`VerifierOptions.unsafe`). */
export interface UnsafeOptions {
  /** Accept a policy below the floor (`POLICY_FLOOR`, no send window). Tests and benchmarks only. */
  readonly weakPolicy?: boolean;
}

/** A probability for a message: `7.5e-3`, or `1` when guessing is sure to succeed. */
export function formatProbability(p: number): string {
  return p >= 1 ? '1' : p.toExponential(1).replace('e+', 'e');
}

/** What is wrong with a policy, in words naming the figures; empty when it meets the floor. */
export function policyWeaknesses(policy: Policy): string[] {
  const out: string[] = [];
  if (policy.sendWindows.length === 0) {
    out.push(
      'sendWindows is empty: no send window limits the codes sent to one phone, so the guesses a day are unbounded (give at least one, e.g. { windowMs: 86_400_000, max: 10 })',
    );
  }
  const p = guessProbabilityPerDay(policy);
  if (p > POLICY_FLOOR.guessProbabilityPerDay) {
    const space = policy.alphabet.length ** policy.codeLength;
    const guesses = maxGuessesPerDay(policy);
    out.push(
      `a guesser succeeds against one phone with probability up to ${formatProbability(p)} per day ` +
        `(${Number.isFinite(guesses) ? guesses : 'unbounded'} guesses a day against ${space} ` +
        `possible codes), above the limit 1e-3: lengthen codeLength, use a larger alphabet, ` +
        'lower maxChecks or tighten sendWindows',
    );
  }
  if (policy.codeTtlMs > POLICY_FLOOR.maxCodeTtlMs) {
    out.push(
      `codeTtlMs is ${policy.codeTtlMs} ms (${(policy.codeTtlMs / 3_600_000).toFixed(1)} hours), ` +
        'above the 1 hour limit on a code lifetime',
    );
  }
  return out;
}

/** Throws when `policy` is below the floor and `unsafe.weakPolicy` is not `true`. */
export function assertPolicyFloor(policy: Policy, unsafe: unknown): void {
  if (unsafe !== undefined && (typeof unsafe !== 'object' || unsafe === null)) {
    throw new TypeError('phoneproof: unsafe must be an object, e.g. { weakPolicy: true }.');
  }
  const weakPolicy = (unsafe as UnsafeOptions | undefined)?.weakPolicy;
  if (weakPolicy !== undefined && typeof weakPolicy !== 'boolean') {
    throw new TypeError('phoneproof: unsafe.weakPolicy must be a boolean.');
  }
  if (weakPolicy === true) return;
  const weaknesses = policyWeaknesses(policy);
  if (weaknesses.length === 0) return;
  throw new TypeError(
    `phoneproof: policy too weak: ${weaknesses.join('; ')}. Strengthen the policy, or accept ` +
      'the risk explicitly with `unsafe: { weakPolicy: true }` (tests, benchmarks). See ' +
      'docs/security.md ("Policy floor").',
  );
}
