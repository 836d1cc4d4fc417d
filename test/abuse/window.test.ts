/**
 * The rolling-window primitives against simple models: a bucketed counter never lets more
 * than `max` into any rolling window, agrees with an event-list model, and its `retryAt` is
 * exactly the first moment the reservation fits; a distinct log counts each value once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add,
  type Buckets,
  bucketWidth,
  type DistinctLog,
  type Limit,
  logAdd,
  logRetryAt,
  logUndo,
  prune,
  retryAt,
  total,
} from '../../src/abuse/window';

const W = 60_000;
/** Time steps: small ones, and ones that land around a window's edge (off-by-one territory). */
const gap = fc.oneof(
  fc.integer({ min: 0, max: 3_000 }),
  fc.integer({ min: W - 2_500, max: W + 2_500 }),
  fc.integer({ min: W / 2 - 1_500, max: W / 2 + 1_500 }),
);

describe('bucketed counter', () => {
  it('never holds more than max in any rolling window and matches the event-list model', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.tuple(gap, fc.integer({ min: 1, max: 3 })), { maxLength: 120 }),
        (max, steps) => {
          const limit: Limit = { windowMs: W, max };
          const width = bucketWidth(W);
          let b: Buckets = [];
          let now = 1_000_000;
          const accepted: Array<[number, number]> = [];
          for (const [dt, amount] of steps) {
            now += dt;
            // Model: an event counts until a window has passed since the end of its bucket.
            const counted = accepted
              .filter(([t]) => t - (t % width) + width + W > now)
              .reduce((s, [, n]) => s + n, 0);
            const wait = retryAt(b, now, limit, amount);
            expect(wait === undefined, `at ${now}`).toBe(counted + amount <= max);
            expect(total(b, now, W)).toBe(counted);
            if (wait === undefined) {
              b = add(prune(b, now, W), now, W, amount);
              accepted.push([now, amount]);
            } else if (Number.isFinite(wait)) {
              // Waiting until `wait` is enough and necessary.
              expect(retryAt(b, wait, limit, amount)).toBeUndefined();
              expect(retryAt(b, wait - 1, limit, amount)).not.toBeUndefined();
            } else {
              expect(amount).toBeGreaterThan(max);
            }
            // Safety: any rolling window of W ms holds at most max.
            for (const [t] of accepted) {
              const inWindow = accepted
                .filter(([x]) => x >= t && x < t + W)
                .reduce((s, [, n]) => s + n, 0);
              expect(inWindow).toBeLessThanOrEqual(max);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a negative add gives room back without going below zero', () => {
    let b: Buckets = add([], 5_000, W, 2);
    b = add(b, 5_000, W, -1);
    expect(total(b, 5_000, W)).toBe(1);
    b = add(b, 5_000, W, -5);
    expect(b).toEqual([]);
    expect(add([], 5_000, W, -1)).toEqual([]);
  });
});

describe('distinct log', () => {
  it('counts each value once per window and matches a map model', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(gap, fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g')), {
          maxLength: 100,
        }),
        (max, steps) => {
          const limits: Limit[] = [{ windowMs: W, max }];
          let log: DistinctLog = [];
          const model = new Map<string, number>();
          let now = 0;
          for (const [dt, tag] of steps) {
            now += dt;
            const live = [...model].filter(([, t]) => t + W > now);
            const seen = live.some(([x]) => x === tag);
            const fits = seen || live.length < max;
            const wait = logRetryAt(log, tag, now, limits);
            expect(wait === undefined).toBe(fits);
            if (fits) {
              log = logAdd(log, tag, now);
              model.set(tag, now);
            } else {
              expect(logRetryAt(log, tag, wait!, limits)).toBeUndefined();
              expect(logRetryAt(log, tag, wait! - 1, limits)).not.toBeUndefined();
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('undo restores the earlier sighting, and only if nothing replaced it since', () => {
    const before: DistinctLog = [['a', 10]];
    const after = logAdd(before, 'a', 20);
    expect(logUndo(after, 'a', 20, 10)).toEqual([['a', 10]]);
    expect(logUndo(logAdd([], 'b', 5), 'b', 5, undefined)).toEqual([]);
    expect(logUndo(logAdd(after, 'a', 30), 'a', 20, 10)).toEqual([['a', 30]]);
  });
});
