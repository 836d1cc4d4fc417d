/**
 * The distinct-destination log and the bucketed counters at the edges the mutation run of
 * src/abuse/window.ts found unpinned: when one destination ages out, the others still in the
 * window stay counted; a destination last seen exactly one window ago counts as new there; a
 * counter whose buckets have all ended is empty; and after the clock steps back, the record
 * still lives as long as its newest bucket counts.
 */
import { describe, expect, it } from 'vitest';
import { requesterSend } from '../../src/abuse/budgets';
import type { ResolvedBudget } from '../../src/abuse/options';
import type { Reservation } from '../../src/abuse/records';
import { add, bucketExpiry, bucketsTtl, prune } from '../../src/abuse/window';
import type { Transition } from '../../src/ports/store';

const T = 1_700_000_640_000; // a multiple of every bucket width used here
const W = 60_000;

/** One store record with a TTL, as a Store keeps it: absent once its TTL has passed. */
function cell() {
  let raw: string | undefined;
  let expires = 0;
  return <R>(tr: Transition<R>, now: number): R => {
    const current = raw !== undefined && now < expires ? raw : undefined;
    const { result, write } = tr(current);
    if (write && 'delete' in write) raw = undefined;
    else if (write) {
      raw = write.value;
      expires = now + write.ttlMs;
    }
    return result;
  };
}

const refusal = (r: Reservation) => r.refusal;

describe('distinct destinations', () => {
  it('when one destination ages out, the others still in the window stay counted', () => {
    const b: ResolvedBudget = { destinations: [{ windowMs: W, max: 2 }], sends: [], checks: [] };
    const apply = cell();
    expect(refusal(apply(requesterSend(b, T, 'a'), T))).toBeUndefined();
    expect(refusal(apply(requesterSend(b, T + 50_000, 'b'), T + 50_000))).toBeUndefined();
    // `a` has left the window: `c` fits, and the record now holds `b` and `c`.
    expect(refusal(apply(requesterSend(b, T + 70_000, 'c'), T + 70_000))).toBeUndefined();
    expect(refusal(apply(requesterSend(b, T + 80_000, 'd'), T + 80_000))).toEqual({
      code: 'rate_limited',
      scope: 'requester',
      retryAt: T + 50_000 + W,
    });
    // Known destinations still fit.
    expect(refusal(apply(requesterSend(b, T + 80_000, 'b'), T + 80_000))).toBeUndefined();
  });

  it('a destination last seen exactly one window ago counts as new in that window', () => {
    const b: ResolvedBudget = {
      destinations: [
        { windowMs: W, max: 1 },
        { windowMs: 10 * W, max: 10 },
      ],
      sends: [],
      checks: [],
    };
    const apply = cell();
    expect(refusal(apply(requesterSend(b, T, 'a'), T))).toBeUndefined();
    expect(refusal(apply(requesterSend(b, T + W, 'b'), T + W))).toBeUndefined();
    // `a` was seen at T, `b` is in the short window: `a` again at T + W is a second destination.
    expect(refusal(apply(requesterSend(b, T + W, 'a'), T + W))).toEqual({
      code: 'rate_limited',
      scope: 'requester',
      retryAt: T + 2 * W,
    });
    expect(refusal(apply(requesterSend(b, T + W - 1, 'a'), T + W - 1))).toBeUndefined();
  });
});

describe('bucketed counters', () => {
  it('a counter whose buckets have all ended is empty', () => {
    let b = add([], T, W, 1);
    b = add(b, T + 10_000, W, 2);
    const last = bucketExpiry(T + 10_000, W);
    expect(prune(b, last - 1, W)).toEqual([[T + 10_000, 2]]);
    expect(prune(b, last, W)).toEqual([]);
    expect(prune(b, last + 5 * W, W)).toEqual([]);
  });

  it('after the clock steps back, the record lives as long as its newest bucket counts', () => {
    const later = add([], T + 10_000, W, 1);
    const stepped = add(later, T, W, 1); // the clock went back 10 s
    expect(stepped.map(([s]) => s)).toEqual([T, T + 10_000]);
    expect(bucketsTtl(stepped, T, W)).toBe(bucketExpiry(T + 10_000, W) - T);
    expect(prune(stepped, bucketExpiry(T, W), W)).toEqual([[T + 10_000, 1]]);
  });
});
