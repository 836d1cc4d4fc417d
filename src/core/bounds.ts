/**
 * Derived security bounds of a policy, used in the docs and checked by tests.
 * @module
 */
import type { Policy } from './policy';

const DAY = 86_400_000;

/**
 * The most sends one phone can receive in any 24 hours: each send window allows `max` sends
 * per `windowMs`, so at most `max * ceil(day / windowMs)` in a day; the tightest window wins.
 */
export function maxSendsPerDay(policy: Policy): number {
  const bounds = policy.sendWindows.map((w) => w.max * Math.ceil(DAY / w.windowMs));
  return bounds.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...bounds);
}

/**
 * Worst-case number of codes an attacker can have evaluated against one phone in a day:
 * every verification costs a send and allows `maxChecks` checks (resends add none).
 * Lockout can only lower this.
 */
export function maxGuessesPerDay(policy: Policy): number {
  return maxSendsPerDay(policy) * policy.maxChecks;
}

/** Upper bound on the chance that guessing succeeds against one phone within a day. */
export function guessProbabilityPerDay(policy: Policy): number {
  const space = policy.alphabet.length ** policy.codeLength;
  return Math.min(1, maxGuessesPerDay(policy) / space);
}
