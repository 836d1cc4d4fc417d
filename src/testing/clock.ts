/**
 * `testClock`: a clock that moves only when the test says so. Pass `clock.now` as the
 * verifier's `now` and as the memory store's `now`, then `advance` past a cooldown, a code's
 * lifetime or a lockout instead of waiting for it.
 * @module
 */
import { nodeEnv } from '../environment';

/** A controllable clock, epoch milliseconds. */
export interface TestClock {
  /** The current time (a bound function: pass it as `now` wherever a clock is taken). */
  readonly now: () => number;
  /** Moves the clock forward by `ms` (≥ 0) and returns the new time. */
  advance(ms: number): number;
  /** Sets the clock to `epochMs`; it may not go back (decisions assume time never rewinds). */
  set(epochMs: number): void;
}

/** 2030-01-01T00:00:00Z, the default start. */
export const TEST_CLOCK_START = Date.UTC(2030, 0, 1);

/**
 * Creates a clock standing at `start` (default 2030-01-01T00:00:00Z). Refused when
 * `NODE_ENV=production`: a frozen clock would keep codes valid and limits full forever.
 */
export function testClock(start: number = TEST_CLOCK_START): TestClock {
  if (nodeEnv() === 'production') {
    throw new Error('phoneproof: testClock is for tests; NODE_ENV is production');
  }
  if (!Number.isFinite(start)) throw new RangeError('testClock: start must be a finite time');
  let t = start;
  const set = (next: number): void => {
    if (!Number.isFinite(next) || next < t) {
      throw new RangeError(`testClock: cannot move from ${t} to ${next}`);
    }
    t = next;
  };
  return {
    now: () => t,
    advance(ms) {
      set(t + ms);
      return t;
    },
    set,
  };
}
