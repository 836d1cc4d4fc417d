/**
 * The inbound keyword bound (`consent.inboundLimit`, src/consent/inbound-limit.ts) is exact
 * whatever order the calls reach the store in: instances whose clocks differ (docs/clocks.md
 * allows up to 1 s each), or a call that took its time before a compare-and-set retry, write
 * in an order other than their times'. Whatever the order (within the window), no rolling
 * window holds more than `max` admitted opt-ins; in time order the transition admits exactly
 * what the one-by-one model admits; the record stays within 2 × `max` times; and a record
 * that cannot be read refuses a START (`CorruptRecordError`) instead of resetting the count,
 * while a STOP is still honoured (without a write, the record left as it is).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type InboundDecision,
  type InboundLimit,
  inboundTransition,
} from '../../src/consent/inbound-limit';
import { CorruptRecordError } from '../../src/core/state';

const T = 1_900_000_000_000;
const HOUR = 3_600_000;

interface Call {
  readonly at: number;
  readonly optIn: boolean;
  readonly id: string;
}

/** Applies the calls in the order given to one record; the decisions, in that order. */
function apply(limit: InboundLimit, calls: readonly Call[]) {
  let raw: string | undefined;
  let longest = 0;
  const out: { call: Call; d: InboundDecision }[] = [];
  for (const call of calls) {
    const r = inboundTransition(limit, call.at, call.optIn, call.id)(raw);
    if (r.write && 'value' in r.write) {
      raw = r.write.value;
      longest = Math.max(longest, (JSON.parse(raw) as { t: number[] }).t.length);
    }
    out.push({ call, d: r.result });
  }
  return { out, longest };
}

const admittedOptIns = (out: ReturnType<typeof apply>['out']) =>
  out.filter((x) => x.call.optIn && x.d === 'proceed').map((x) => x.call.at);

/** The most admitted opt-ins in any rolling window of `windowMs`. */
function densest(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (const end of times) {
    most = Math.max(most, times.filter((x) => x > end - windowMs && x <= end).length);
  }
  return most;
}

const limitArb = fc.record({
  max: fc.integer({ min: 1, max: 4 }),
  windowMs: fc.integer({ min: 60_000, max: 2 * HOUR }),
});

/** Calls spread over `spanOf(windowMs)`, each with a distinct message id. */
const callsArb = (windowMs: number, span: number) =>
  fc
    .array(fc.record({ dt: fc.integer({ min: 0, max: span }), optIn: fc.boolean() }), {
      minLength: 1,
      maxLength: 40,
    })
    .map((xs) => xs.map((x, i): Call => ({ at: T + x.dt, optIn: x.optIn, id: `SM${i}` })))
    .map((calls) => ({ calls, windowMs }));

describe('inbound keyword limit: the pure transition', () => {
  const LIMIT = { max: 2, windowMs: HOUR };

  it('a later write with an earlier time keeps the other opt-in and counts it', () => {
    const first = inboundTransition(LIMIT, T + 300, true, 'm1')(undefined);
    const raw1 = (first.write as { value: string }).value;
    const second = inboundTransition(LIMIT, T, true, 'm2')(raw1);
    expect(second.result).toBe('proceed');
    const raw2 = (second.write as { value: string }).value;
    expect((JSON.parse(raw2) as { t: number[] }).t.sort()).toEqual([T, T + 300]);
    // Both count: a third opt-in, earlier still, is beyond the limit.
    expect(inboundTransition(LIMIT, T - 100, true, 'm3')(raw2).result).toBe('limited');
  });

  it('the record lives until its newest opt-in stops counting', () => {
    const long = { max: 2, windowMs: 3 * 86_400_000 };
    const first = inboundTransition(long, T + 900, true, 'm1')(undefined);
    const second = inboundTransition(
      long,
      T,
      false,
      'm2',
    )((first.write as { value: string }).value);
    const ttl = (second.write as { ttlMs: number }).ttlMs;
    expect(T + ttl).toBeGreaterThanOrEqual(T + 900 + long.windowMs);
  });

  it('an unreadable record: a START fails closed instead of restarting the count, a STOP is honoured', () => {
    for (const raw of [
      'not json',
      'null',
      '[]',
      '{"v":2,"t":[],"m":[]}',
      '{"v":1,"m":[]}',
      '{"v":1,"t":[1,"x"],"m":[]}',
      '{"v":1,"t":[],"m":[1]}',
      '{"v":1,"t":[null],"m":[]}',
    ]) {
      expect(() => inboundTransition(LIMIT, T, true, 'm')(raw), raw).toThrow(CorruptRecordError);
      // STOP is never refused; the record is left as it is (no reset, the damage kept).
      expect(inboundTransition(LIMIT, T, false, 'm')(raw), raw).toEqual({ result: 'proceed' });
    }
  });
});

describe('inbound keyword limit: any order of writes', () => {
  it('calls within one window, in any order: at most `max` opt-ins admitted', () => {
    fc.assert(
      fc.property(
        limitArb.chain((limit) =>
          callsArb(limit.windowMs, limit.windowMs - 1).chain(({ calls }) =>
            fc.tuple(fc.constant(limit), fc.shuffledSubarray(calls, { minLength: calls.length })),
          ),
        ),
        ([limit, order]) => {
          const { out, longest } = apply(limit, order);
          expect(admittedOptIns(out).length).toBeLessThanOrEqual(limit.max);
          expect(longest).toBeLessThanOrEqual(2 * limit.max);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('calls over several windows, written up to a window out of time order: no window holds more than `max`', () => {
    fc.assert(
      fc.property(
        limitArb.chain((limit) =>
          callsArb(limit.windowMs, 5 * limit.windowMs).chain(({ calls }) =>
            fc.tuple(
              fc.constant(limit),
              fc.constant(calls),
              // When each call's write lands: its time plus up to one window's delay.
              fc.array(fc.integer({ min: 0, max: limit.windowMs }), {
                minLength: calls.length,
                maxLength: calls.length,
              }),
            ),
          ),
        ),
        ([limit, calls, delays]) => {
          const order = calls
            .map((c, i) => ({ c, lands: c.at + delays[i]!, i }))
            .sort((x, y) => x.lands - y.lands || x.i - y.i)
            .map((x) => x.c);
          const { out, longest } = apply(limit, order);
          expect(densest(admittedOptIns(out), limit.windowMs)).toBeLessThanOrEqual(limit.max);
          expect(longest).toBeLessThanOrEqual(2 * limit.max);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('in time order, exactly the opt-ins the one-by-one model admits', () => {
    fc.assert(
      fc.property(
        limitArb.chain((limit) =>
          callsArb(limit.windowMs, 5 * limit.windowMs).map(({ calls }) => ({ limit, calls })),
        ),
        ({ limit, calls }) => {
          const order = [...calls].sort((x, y) => x.at - y.at);
          const model: number[] = [];
          for (const c of order) {
            if (!c.optIn) continue;
            if (model.filter((x) => x > c.at - limit.windowMs).length < limit.max) model.push(c.at);
          }
          expect(admittedOptIns(apply(limit, order).out)).toEqual(model);
        },
      ),
      { numRuns: 500 },
    );
  });
});
