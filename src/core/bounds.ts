/**
 * Derived security bounds of a policy, used in the docs and checked by tests.
 * @module
 */
import type { Policy, SendWindow } from './policy';

const DAY = 86_400_000;

/**
 * The most sends the send windows allow within any span of `span` ms. Each window allows
 * `max` per `windowMs`; a span is covered by whole copies of one window plus a remainder
 * bounded the same way, and the tightest cover wins.
 */
export function maxSendsInSpan(windows: readonly SendWindow[], span: number): number {
  if (span <= 0) return 0;
  let best = Number.POSITIVE_INFINITY;
  for (const w of windows) {
    best = Math.min(best, w.max * Math.ceil(span / w.windowMs));
    const whole = Math.floor(span / w.windowMs);
    if (whole >= 1)
      best = Math.min(best, w.max * whole + maxSendsInSpan(windows, span - whole * w.windowMs));
  }
  return best;
}

/** The most sends one phone can receive in any 24 hours. */
export function maxSendsPerDay(policy: Policy): number {
  return maxSendsInSpan(policy.sendWindows, DAY);
}

/**
 * Worst-case number of codes an attacker can have evaluated against one phone in any
 * rolling 24 hours: every verification costs a send and allows `maxChecks` checks (resends
 * add none), and a code sent up to one code lifetime before the 24 hours can still be
 * guessed inside them, so the sends counted are those of a 24 h + TTL span. Lockout can
 * only lower this.
 */
export function maxGuessesPerDay(policy: Policy): number {
  return maxSendsInSpan(policy.sendWindows, DAY + policy.codeTtlMs) * policy.maxChecks;
}

/** Upper bound on the chance that guessing succeeds against one phone within 24 hours. */
export function guessProbabilityPerDay(policy: Policy): number {
  const space = policy.alphabet.length ** policy.codeLength;
  return Math.min(1, maxGuessesPerDay(policy) / space);
}
