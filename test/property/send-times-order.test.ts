/**
 * Send times are appended in the order writes land, not in time order: two instances whose
 * clocks differ within the bound (docs/clocks.md), or a compare-and-set retry of a call that
 * took its time earlier, append an earlier time after a later one. What the phone record
 * derives from them must not depend on that order: how long the record lives (`recordTtl`,
 * with the requesters' share, `requestersUntil`) and when a send window has room again
 * (`windowsRetryAt`, the `retryAt` hint).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/core/policy';
import { requestersUntil, windowsRetryAt } from '../../src/core/requesters';
import { recordTtl } from '../../src/core/settle';
import { emptyState, type PhoneState } from '../../src/core/state';

const T = 1_900_000_000_000;
const HOUR = 3_600_000;
const policy = resolvePolicy({
  sendWindows: [{ windowMs: HOUR, max: 5 }],
  requesterSendWindows: [{ windowMs: 2 * HOUR, max: 3 }],
});

const withSends = (sends: number[], requester: number[] = []): PhoneState => ({
  ...emptyState,
  sends,
  ...(requester.length
    ? { requesters: [{ k: 'ip.a', s: requester, f: 0, l: 0, u: 0, t: 0 }] }
    : {}),
});

describe('send times written out of time order', () => {
  it('the record lives until its newest send leaves the longest window', () => {
    // The send at T + 1500 landed first; the one at T (another instance) after it.
    const state = withSends([T + 1500, T]);
    expect(T + recordTtl(state, T, policy)).toBe(T + 1500 + HOUR);
  });

  it("the requesters' share lives until the newest of their sends leaves its window", () => {
    const state = withSends([], [T + 1500, T]);
    expect(requestersUntil(state, policy)).toBe(T + 1500 + 2 * HOUR);
    expect(T + recordTtl(state, T, policy)).toBe(T + 1500 + 2 * HOUR);
  });

  it('a full window has room again when enough of its sends have left it', () => {
    const windows = [{ windowMs: HOUR, max: 2 }];
    // Three sends in the window: room for one more once T and T + 900 have left.
    expect(windowsRetryAt([T + 900, T + 1500, T], windows, T + 2000)).toBe(T + 900 + HOUR);
    expect(windowsRetryAt([T + 1500, T], [{ windowMs: HOUR, max: 1 }], T + 2000)).toBe(
      T + 1500 + HOUR,
    );
  });

  it('in any order: the same record lifetime and a retry time that is the first with room', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 * HOUR }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 3 * HOUR }), { maxLength: 12 }),
        fc.array(
          fc.record({
            windowMs: fc.integer({ min: 60_000, max: 2 * HOUR }),
            max: fc.integer({ min: 1, max: 6 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        fc.integer({ min: 0, max: 3 * HOUR }),
        fc.func(fc.integer()),
        (sends, requester, windows, nowDt, key) => {
          const times = sends.map((x) => T + x);
          const other = requester.map((x) => T + x);
          const shuffle = (xs: number[]) =>
            xs
              .map((x, i) => ({ x, k: key(i) }))
              .sort((a, b) => a.k - b.k)
              .map((e) => e.x);
          const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
          const now = T + nowDt;
          const inOrder = withSends(sorted(times), sorted(other));
          const shuffled = withSends(shuffle(times), shuffle(other));
          expect(recordTtl(shuffled, now, policy)).toBe(recordTtl(inOrder, now, policy));
          expect(requestersUntil(shuffled, policy)).toBe(requestersUntil(inOrder, policy));

          const at = windowsRetryAt(shuffle(times), windows, now);
          expect(at).toBe(windowsRetryAt(sorted(times), windows, now));
          const room = (t: number) =>
            windows.every((w) => times.filter((x) => x > t - w.windowMs).length < w.max);
          if (at === undefined) expect(room(now)).toBe(true);
          else {
            expect(room(at)).toBe(true);
            expect(room(at - 1)).toBe(false);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
