/**
 * The store-clock estimator (src/verifier/clock.ts) over a fake store clock and fake round
 * trips: offset from the midpoint, the uncertainty bound, refresh, and failing closed.
 */
import { describe, expect, it } from 'vitest';
import { CLOCK_BOUND_MS, storeClock } from '../../src/verifier/clock';

/** A fake world: a true time, an instance clock `skew` off it, a store `storeSkew` off it. */
function world(skew: number, storeSkew = 0) {
  const w = {
    t: 1_800_000_000_000,
    rtt: 10,
    calls: 0,
    down: false,
    local: () => w.t + skew,
    // The store reads its clock halfway through the round trip.
    time: async () => {
      w.calls++;
      if (w.down) throw new Error('connection refused');
      w.t += w.rtt / 2;
      const s = w.t + storeSkew;
      w.t += w.rtt / 2;
      return s;
    },
  };
  return w;
}

describe('storeClock', () => {
  it('decides on the store clock within half a round trip, whatever the instance clock', async () => {
    for (const skew of [-90_000, -5_000, 0, 5_000, 90_000]) {
      const w = world(skew, 1_234);
      w.rtt = 40;
      const c = storeClock({ time: w.time, local: w.local });
      expect(await c.ready()).toBe(true);
      expect(Math.abs(c.now() - (w.t + 1_234))).toBeLessThanOrEqual(20);
      expect(c.estimate()?.uncertaintyMs).toBe(20);
      w.t += 5_000;
      expect(Math.abs(c.now() - (w.t + 1_234))).toBeLessThanOrEqual(20);
    }
  });

  it('samples once, then refreshes in the background after refreshMs (amortized round trips)', async () => {
    const w = world(90_000);
    const c = storeClock({ time: w.time, local: w.local, refreshMs: 30_000 });
    await Promise.all([c.ready(), c.ready(), c.ready()]);
    expect(w.calls).toBe(1);
    for (let i = 0; i < 1_000; i++) expect(await c.ready()).toBe(true);
    expect(w.calls).toBe(1);
    w.t += 30_001;
    expect(await c.ready()).toBe(true); // served from the estimate, refresh under way
    await c.ready();
    expect(w.calls).toBe(2);
  });

  it('discards samples whose round trip exceeds twice the bound, and fails closed without one', async () => {
    const w = world(0);
    w.rtt = 2 * CLOCK_BOUND_MS + 2;
    const c = storeClock({ time: w.time, local: w.local });
    expect(await c.ready()).toBe(false);
    expect(w.calls).toBe(3);
    w.rtt = 2 * CLOCK_BOUND_MS;
    expect(await c.ready()).toBe(true);
  });

  it('fails closed when the store clock cannot be read and the estimate is too old', async () => {
    const w = world(-90_000);
    const c = storeClock({ time: w.time, local: w.local, refreshMs: 30_000, maxAgeMs: 120_000 });
    w.down = true;
    expect(await c.ready()).toBe(false);
    w.down = false;
    expect(await c.ready()).toBe(true);
    w.down = true;
    w.t += 60_000;
    expect(await c.ready()).toBe(true); // still within maxAgeMs; refresh fails quietly
    w.t += 61_000;
    expect(await c.ready()).toBe(false);
  });

  it('resamples when the local clock steps backwards', async () => {
    const w = world(0, 500);
    let step = 0;
    const c = storeClock({ time: w.time, local: () => w.local() + step });
    expect(await c.ready()).toBe(true);
    const calls = w.calls;
    step = -3_600_000;
    expect(await c.ready()).toBe(true);
    expect(w.calls).toBe(calls + 1);
    expect(Math.abs(c.now() - (w.t + 500))).toBeLessThanOrEqual(5);
  });

  it('treats a non-number store time as no sample', async () => {
    const c = storeClock({ time: async () => Number.NaN, local: () => 0 });
    expect(await c.ready()).toBe(false);
  });
});
