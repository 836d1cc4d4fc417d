/**
 * The counting budgets at their edges, one record at a time: a budget refuses exactly the
 * call past its limit, says when to retry, frees room exactly at the window edge (and the
 * record lives until then), gives room back on undo, and the global budget warns once when
 * it crosses its warning level.
 */
import { describe, expect, it } from 'vitest';
import {
  countrySend,
  globalSend,
  prefixSend,
  prefixVerified,
  requesterCheck,
  requesterSend,
} from '../../src/abuse/budgets';
import type { ResolvedBudget, ResolvedGlobal } from '../../src/abuse/options';
import type { Reservation } from '../../src/abuse/records';
import type { Transition } from '../../src/ports/store';

const T = 1_700_000_640_000; // a multiple of every bucket width used here (1 s to 24 min)
const W = 60_000; // buckets of 1 s
const HOUR = 3_600_000; // buckets of 1 min
const DAY = 24 * HOUR; // buckets of 24 min

/** One store record with a TTL, as a Store keeps it: absent once its TTL has passed. */
function cell() {
  let raw: string | undefined;
  let expires = 0;
  return {
    apply<R>(tr: Transition<R>, now: number): R {
      const current = raw !== undefined && now < expires ? raw : undefined;
      const { result, write } = tr(current);
      if (write && 'delete' in write) raw = undefined;
      else if (write) {
        expect(write.ttlMs).toBeGreaterThan(0);
        raw = write.value;
        expires = now + write.ttlMs;
      }
      return result;
    },
    get raw() {
      return raw;
    },
  };
}

const ok = (r: Reservation) => r.refusal === undefined;

it('the start time is a bucket boundary of every window used', () => {
  expect(T % (24 * 60_000)).toBe(0);
});

describe('requester checks', () => {
  const b: ResolvedBudget = { destinations: [], sends: [], checks: [{ windowMs: W, max: 3 }] };

  it('refuses exactly the check past the limit and frees it at the window edge', () => {
    const c = cell();
    for (let i = 0; i < 3; i += 1) expect(c.apply(requesterCheck(b, T), T)).toEqual({});
    const edge = T + 1_000 + W;
    expect(c.apply(requesterCheck(b, T + 500), T + 500)).toEqual({
      refusal: { code: 'rate_limited', scope: 'requester', retryAt: edge },
    });
    expect(ok(c.apply(requesterCheck(b, edge - 1), edge - 1))).toBe(false);
    for (let i = 0; i < 3; i += 1) expect(ok(c.apply(requesterCheck(b, edge), edge))).toBe(true);
    expect(ok(c.apply(requesterCheck(b, edge), edge))).toBe(false);
  });

  it('keeps only the buckets that still count, however long the requester stays active', () => {
    const c = cell();
    // A check every half window and a bit: the record stays alive, old buckets end.
    for (let i = 0; i < 300; i += 1) {
      const at = T + i * (W / 2 + 1_000);
      expect(ok(c.apply(requesterCheck(b, at), at))).toBe(true);
    }
    expect(c.raw!.length).toBeLessThan(120);
  });

  it('waits for the latest of several limits', () => {
    const two: ResolvedBudget = {
      ...b,
      checks: [
        { windowMs: W, max: 3 },
        { windowMs: 10 * W, max: 5 },
      ],
    };
    const c = cell();
    for (let i = 0; i < 3; i += 1) expect(ok(c.apply(requesterCheck(two, T), T))).toBe(true);
    const later = T + 1_000 + W;
    for (let i = 0; i < 2; i += 1)
      expect(ok(c.apply(requesterCheck(two, later), later))).toBe(true);
    // The short limit has room again; the long one is full until its first bucket expires.
    const r = c.apply(requesterCheck(two, later), later);
    expect(r.refusal).toEqual({
      code: 'rate_limited',
      scope: 'requester',
      retryAt: T + 10_000 + 10 * W,
    });
    expect(ok(c.apply(requesterCheck(two, T + 10_000 + 10 * W), T + 10_000 + 10 * W))).toBe(true);
  });
});

describe('requester sends', () => {
  const b: ResolvedBudget = {
    destinations: [{ windowMs: W, max: 2 }],
    sends: [{ windowMs: W, max: 4 }],
    checks: [],
  };

  it('counts each destination once per window and refuses a new one past the limit', () => {
    const c = cell();
    expect(ok(c.apply(requesterSend(b, T, 'a'), T))).toBe(true);
    expect(ok(c.apply(requesterSend(b, T + 10, 'b'), T + 10))).toBe(true);
    expect(ok(c.apply(requesterSend(b, T + 20, 'a'), T + 20))).toBe(true);
    expect(c.apply(requesterSend(b, T + 30, 'c'), T + 30).refusal).toEqual({
      code: 'rate_limited',
      scope: 'requester',
      retryAt: T + 10 + W,
    });
    expect(ok(c.apply(requesterSend(b, T + 10 + W - 1, 'c'), T + 10 + W - 1))).toBe(false);
    expect(ok(c.apply(requesterSend(b, T + 10 + W, 'c'), T + 10 + W))).toBe(true);
  });

  it('refuses the send past the send limit, even to a known destination', () => {
    const c = cell();
    for (const tag of ['a', 'b', 'a', 'b'])
      expect(ok(c.apply(requesterSend(b, T, tag), T))).toBe(true);
    expect(c.apply(requesterSend(b, T, 'a'), T).refusal).toEqual({
      code: 'rate_limited',
      scope: 'requester',
      retryAt: T + 1_000 + W,
    });
    expect(ok(c.apply(requesterSend(b, T + 999 + W, 'a'), T + 999 + W))).toBe(false);
    expect(ok(c.apply(requesterSend(b, T + 1_000 + W, 'a'), T + 1_000 + W))).toBe(true);
  });

  it('undo gives the send and the new destination back', () => {
    const c = cell();
    expect(ok(c.apply(requesterSend(b, T, 'a'), T))).toBe(true);
    const r = c.apply(requesterSend(b, T + 1, 'b'), T + 1);
    c.apply(r.undo!, T + 5);
    // b no longer counts: two new destinations fit, and four sends.
    expect(ok(c.apply(requesterSend(b, T + 6, 'c'), T + 6))).toBe(true);
    expect(ok(c.apply(requesterSend(b, T + 6, 'd'), T + 6))).toBe(false);
    expect(ok(c.apply(requesterSend(b, T + 6, 'a'), T + 6))).toBe(true);
    expect(ok(c.apply(requesterSend(b, T + 6, 'c'), T + 6))).toBe(true);
    expect(ok(c.apply(requesterSend(b, T + 6, 'a'), T + 6))).toBe(false);
  });

  it('undo of a repeat sighting keeps the destination counted from its first sighting', () => {
    const c = cell();
    expect(ok(c.apply(requesterSend(b, T, 'a'), T))).toBe(true);
    const again = c.apply(requesterSend(b, T + W / 2, 'a'), T + W / 2);
    c.apply(again.undo!, T + W / 2);
    expect(ok(c.apply(requesterSend(b, T + W / 2, 'b'), T + W / 2))).toBe(true);
    // a counts from T again, so it stops counting at T + W (not T + 1.5 W).
    expect(ok(c.apply(requesterSend(b, T + W / 2, 'c'), T + W / 2))).toBe(false);
    expect(ok(c.apply(requesterSend(b, T + W, 'c'), T + W))).toBe(true);
  });

  it('undo of one bucket leaves the sends of other buckets counted', () => {
    const two: ResolvedBudget = { destinations: [], sends: [{ windowMs: W, max: 2 }], checks: [] };
    const c = cell();
    expect(ok(c.apply(requesterSend(two, T, 'a'), T))).toBe(true);
    const r = c.apply(requesterSend(two, T + 2_000, 'a'), T + 2_000);
    c.apply(r.undo!, T + 2_000);
    expect(ok(c.apply(requesterSend(two, T + 2_000, 'a'), T + 2_000))).toBe(true);
    expect(ok(c.apply(requesterSend(two, T + 2_000, 'a'), T + 2_000))).toBe(false);
  });

  it('after an undo restores an older sighting, the retry time is still the oldest one', () => {
    const c = cell();
    c.apply(requesterSend(b, T, 'a'), T);
    c.apply(requesterSend(b, T + 10, 'b'), T + 10);
    const again = c.apply(requesterSend(b, T + 20, 'a'), T + 20);
    c.apply(again.undo!, T + 20);
    expect(c.apply(requesterSend(b, T + 30, 'c'), T + 30).refusal).toEqual({
      code: 'rate_limited',
      scope: 'requester',
      retryAt: T + W,
    });
  });

  it('a destination seen outside a short window counts again there, even if a longer one remembers it', () => {
    const nested: ResolvedBudget = {
      destinations: [
        { windowMs: W, max: 2 },
        { windowMs: 10 * W, max: 10 },
      ],
      sends: [],
      checks: [],
    };
    const c = cell();
    c.apply(requesterSend(nested, T, 'a'), T);
    c.apply(requesterSend(nested, T + W, 'b'), T + W);
    c.apply(requesterSend(nested, T + W + 1, 'c'), T + W + 1);
    expect(c.apply(requesterSend(nested, T + W + 2, 'a'), T + W + 2).refusal).toMatchObject({
      scope: 'requester',
      retryAt: T + 2 * W,
    });
  });

  it('keeps only what still counts: old destinations and sends leave the record', () => {
    const c = cell();
    // Every W/2 + 1 ms a new destination: the record stays alive, the one before last has left.
    for (let i = 0; i < 200; i += 1) {
      const at = T + i * (W / 2 + 1);
      expect(ok(c.apply(requesterSend(b, at, `tag-${i}`), at))).toBe(true);
    }
    expect(c.raw).toContain('tag-199');
    expect(c.raw).toContain('tag-198');
    expect(c.raw).not.toContain('tag-197');
    expect(c.raw).not.toContain('tag-1"');
    expect(c.raw!.length).toBeLessThan(200);
  });

  it('without destination limits, no destination is kept', () => {
    const c = cell();
    c.apply(requesterSend({ ...b, destinations: [] }, T, 'secret-tag'), T);
    expect(c.raw).toBeDefined();
    expect(c.raw).not.toContain('secret-tag');
  });

  it('undo of an expired record writes nothing', () => {
    const c = cell();
    const r = c.apply(requesterSend(b, T, 'a'), T);
    const later = cell();
    expect(later.apply(r.undo!, T + 1)).toBeUndefined();
    expect(later.raw).toBeUndefined();
  });

  it('without destination limits, any number of destinations fit the send limit', () => {
    const sendsOnly: ResolvedBudget = { ...b, destinations: [] };
    const c = cell();
    for (const tag of ['a', 'b', 'c', 'd'])
      expect(ok(c.apply(requesterSend(sendsOnly, T, tag), T))).toBe(true);
    expect(ok(c.apply(requesterSend(sendsOnly, T, 'e'), T))).toBe(false);
  });
});

describe('prefix velocity', () => {
  const p = { trailingDigits: 6, windowMs: W, max: 2 };

  it('refuses the next unverified number past the limit until the first one ages out', () => {
    const c = cell();
    expect(ok(c.apply(prefixSend(p, T, 'a'), T))).toBe(true);
    expect(ok(c.apply(prefixSend(p, T + 1, 'b'), T + 1))).toBe(true);
    expect(ok(c.apply(prefixSend(p, T + 2, 'a'), T + 2))).toBe(true);
    expect(c.apply(prefixSend(p, T + 3, 'c'), T + 3).refusal).toEqual({
      code: 'rate_limited',
      scope: 'prefix',
      retryAt: T + 1 + W,
    });
    expect(ok(c.apply(prefixSend(p, T + W, 'c'), T + W))).toBe(false);
    expect(ok(c.apply(prefixSend(p, T + 1 + W, 'c'), T + 1 + W))).toBe(true);
  });

  it('a verified number frees its place; verifying another number changes nothing', () => {
    const c = cell();
    c.apply(prefixSend(p, T, 'a'), T);
    c.apply(prefixSend(p, T, 'b'), T);
    const before = c.raw;
    c.apply(prefixVerified(p, T, 'z'), T);
    expect(c.raw).toBe(before);
    expect(ok(c.apply(prefixSend(p, T, 'c'), T))).toBe(false);
    c.apply(prefixVerified(p, T, 'b'), T);
    expect(ok(c.apply(prefixSend(p, T, 'c'), T))).toBe(true);
    const empty = cell();
    empty.apply(prefixVerified(p, T, 'a'), T);
    expect(empty.raw).toBeUndefined();
  });

  it('verifying the only number of a prefix frees its place', () => {
    const one = { ...p, max: 1 };
    const c = cell();
    c.apply(prefixSend(one, T, 'b'), T);
    expect(ok(c.apply(prefixSend(one, T, 'c'), T))).toBe(false);
    c.apply(prefixVerified(one, T, 'b'), T);
    expect(ok(c.apply(prefixSend(one, T, 'c'), T))).toBe(true);
  });

  it('undo of a repeat sighting keeps the number counted from its first sighting', () => {
    const c = cell();
    c.apply(prefixSend(p, T, 'a'), T);
    const again = c.apply(prefixSend(p, T + W / 2, 'a'), T + W / 2);
    c.apply(again.undo!, T + W / 2);
    c.apply(prefixSend(p, T + W / 2, 'b'), T + W / 2);
    expect(c.apply(prefixSend(p, T + W / 2, 'c'), T + W / 2).refusal).toMatchObject({
      retryAt: T + W,
    });
    expect(ok(c.apply(prefixSend(p, T + W, 'c'), T + W))).toBe(true);
  });

  it('undo gives the place back', () => {
    const c = cell();
    c.apply(prefixSend(p, T, 'a'), T);
    const r = c.apply(prefixSend(p, T + 1, 'b'), T + 1);
    c.apply(r.undo!, T + 1);
    expect(ok(c.apply(prefixSend(p, T, 'c'), T))).toBe(true);
    expect(cell().apply(r.undo!, T)).toBeUndefined();
  });
});

describe('country hourly cap', () => {
  it('refuses the message past the cap until the first minute bucket leaves the hour', () => {
    const c = cell();
    expect(ok(c.apply(countrySend(2, T), T))).toBe(true);
    expect(ok(c.apply(countrySend(2, T + 5), T + 5))).toBe(true);
    const edge = T + 60_000 + HOUR;
    expect(c.apply(countrySend(2, T + 10), T + 10).refusal).toEqual({
      code: 'rate_limited',
      scope: 'country',
      retryAt: edge,
    });
    expect(ok(c.apply(countrySend(2, edge - 1), edge - 1))).toBe(false);
    expect(ok(c.apply(countrySend(2, edge), edge))).toBe(true);
  });

  it('undo gives the message back', () => {
    const c = cell();
    c.apply(countrySend(1, T), T);
    expect(ok(c.apply(countrySend(1, T), T))).toBe(false);
    const fresh = cell();
    const r = fresh.apply(countrySend(1, T), T);
    fresh.apply(r.undo!, T);
    expect(ok(fresh.apply(countrySend(1, T), T))).toBe(true);
    expect(cell().apply(r.undo!, T)).toBeUndefined();
  });
});

describe('global budget', () => {
  const messages: ResolvedGlobal = {
    messagesPerDay: 4,
    costPerDay: undefined,
    priceOf: () => 0,
    warnAt: 0.5,
  };

  it('refuses the message past the daily limit and warns once on crossing the level', () => {
    const c = cell();
    expect(c.apply(globalSend(messages, T, 0), T)).toEqual({ undo: expect.any(Function) });
    expect(c.apply(globalSend(messages, T, 0), T).notices).toEqual([
      { type: 'budget_warning', unit: 'messages', used: 2, limit: 4 },
    ]);
    expect(c.apply(globalSend(messages, T, 0), T).notices).toBeUndefined();
    expect(c.apply(globalSend(messages, T, 0), T).notices).toBeUndefined();
    const edge = T + 24 * 60_000 + DAY;
    expect(c.apply(globalSend(messages, T + 1, 0), T + 1).refusal).toEqual({
      code: 'budget_exceeded',
      scope: 'global',
      retryAt: edge,
    });
    expect(ok(c.apply(globalSend(messages, edge - 1, 0), edge - 1))).toBe(false);
    // A day after the last warning it warns again when it crosses the level again.
    const first = c.apply(globalSend(messages, edge, 0), edge);
    expect(first.refusal).toBeUndefined();
    expect(c.apply(globalSend(messages, edge, 0), edge).notices).toEqual([
      { type: 'budget_warning', unit: 'messages', used: 2, limit: 4 },
    ]);
  });

  it('does not warn again a day later while usage only stays above the level', () => {
    const c = cell();
    for (let i = 0; i < 3; i += 1) c.apply(globalSend(messages, T, 0), T);
    // The day-old messages still count (until their bucket ends): 3 before, 4 after.
    expect(c.apply(globalSend(messages, T + DAY + 1, 0), T + DAY + 1)).toEqual({
      undo: expect.any(Function),
    });
  });

  it('a cost bucket that ends exactly now does not count toward the retry time', () => {
    const small: ResolvedGlobal = { ...cost, costPerDay: 2 };
    const c = cell();
    c.apply(globalSend(small, T, 1), T);
    c.apply(globalSend(small, T + 24 * 60_000, 1), T + 24 * 60_000);
    const now = T + 24 * 60_000 + DAY; // the first bucket ends now
    expect(c.apply(globalSend(small, now, 2), now).refusal).toEqual({
      code: 'budget_exceeded',
      scope: 'global',
      retryAt: now + 24 * 60_000,
    });
  });

  it('does not warn twice within a day even when the level is crossed again', () => {
    const c = cell();
    c.apply(globalSend(messages, T, 0), T);
    const warned = c.apply(globalSend(messages, T, 0), T);
    expect(warned.notices).toHaveLength(1);
    c.apply(warned.undo!, T);
    expect(c.apply(globalSend(messages, T + 1, 0), T + 1).notices).toBeUndefined();
  });

  const cost: ResolvedGlobal = {
    messagesPerDay: undefined,
    costPerDay: 1_000_000,
    priceOf: () => 300_000,
    warnAt: 0.5,
  };

  it('counts cost in millionths and refuses the message that would pass it', () => {
    const c = cell();
    expect(c.apply(globalSend(cost, T, 300_000), T).notices).toBeUndefined();
    expect(c.apply(globalSend(cost, T, 300_000), T).notices).toEqual([
      { type: 'budget_warning', unit: 'cost', used: 0.6, limit: 1 },
    ]);
    expect(ok(c.apply(globalSend(cost, T, 300_000), T))).toBe(true);
    expect(c.apply(globalSend(cost, T, 300_000), T).refusal).toMatchObject({
      code: 'budget_exceeded',
      scope: 'global',
    });
    // A cheaper message still fits exactly.
    expect(ok(c.apply(globalSend(cost, T, 100_000), T))).toBe(true);
    expect(ok(c.apply(globalSend(cost, T, 1), T))).toBe(false);
  });

  it('a message dearer than the whole budget is refused without a retry time', () => {
    expect(cell().apply(globalSend(cost, T, 1_000_001), T).refusal).toEqual({
      code: 'budget_exceeded',
      scope: 'global',
    });
    expect(ok(cell().apply(globalSend(cost, T, 1_000_000), T))).toBe(true);
  });

  it('undo gives back the message and its cost', () => {
    const both: ResolvedGlobal = { ...cost, messagesPerDay: 1 };
    const c = cell();
    const r = c.apply(globalSend(both, T, 900_000), T);
    expect(ok(c.apply(globalSend(both, T, 100_000), T))).toBe(false);
    c.apply(r.undo!, T);
    expect(ok(c.apply(globalSend(both, T, 1_000_000), T))).toBe(true);
    expect(cell().apply(r.undo!, T)).toBeUndefined();
  });

  it('free messages count toward the message budget only', () => {
    const both: ResolvedGlobal = { ...cost, messagesPerDay: 3 };
    const c = cell();
    for (let i = 0; i < 3; i += 1) expect(ok(c.apply(globalSend(both, T, 0), T))).toBe(true);
    expect(ok(c.apply(globalSend(both, T, 0), T))).toBe(false);
    const d = cell();
    d.apply(globalSend(both, T, 0), T);
    expect(ok(d.apply(globalSend(both, T, 1_000_000), T))).toBe(true);
  });
});
