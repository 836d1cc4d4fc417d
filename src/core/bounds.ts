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
 * only lower this. The windows count every send but those of a verification approved by
 * its first check (given back): no wrong code was evaluated against those, and a requester
 * key can check only the verifications it started, so the wrong guesses are all made on
 * sends the windows count, whatever the number of requester keys.
 */
export function maxGuessesPerDay(policy: Policy): number {
  return maxSendsInSpan(policy.sendWindows, DAY + policy.codeTtlMs) * policy.maxChecks;
}

/** Upper bound on the chance that guessing succeeds against one phone within 24 hours. */
export function guessProbabilityPerDay(policy: Policy): number {
  const space = policy.alphabet.length ** policy.codeLength;
  return Math.min(1, maxGuessesPerDay(policy) / space);
}

/** The most sends one requester key can make to one phone in any 24 hours (its share). */
export function requesterSendsPerDay(policy: Policy): number {
  const share = maxSendsInSpan(policy.requesterSendWindows, DAY);
  return Math.min(share, maxSendsPerDay(policy));
}

/**
 * Requester keys needed to fill one of the phone's send windows, so that a start from any
 * other key is refused until it has room again: the window's `max` over one key's share
 * within the window's length.
 */
export function keysToFill(policy: Policy, window: SendWindow): number {
  const share = maxSendsInSpan(policy.requesterSendWindows, window.windowMs);
  return Number.isFinite(share) ? Math.ceil(window.max / Math.max(1, share)) : 1;
}

/**
 * Whether one requester key alone can keep another key from verifying: its share fills a
 * send window of the phone, or its failures alone lock the whole phone. (It can never
 * supersede, cancel, resend or check another key's verification.)
 */
export function oneKeyCanDeny(policy: Policy): boolean {
  if (policy.lockout !== false && policy.lockout.requesters <= 1) return true;
  return policy.sendWindows.some((w) => keysToFill(policy, w) <= 1);
}

/**
 * The fewest requester keys that can refuse every other key's start for a whole day, and
 * keep doing it every day: enough to fill a send window of a day or longer (their shares
 * renew as fast as the window frees).
 */
export function keysToDenyDays(policy: Policy): number {
  const long = policy.sendWindows.filter((w) => w.windowMs >= DAY);
  return long.length === 0
    ? Number.POSITIVE_INFINITY
    : Math.min(...long.map((w) => keysToFill(policy, w)));
}
