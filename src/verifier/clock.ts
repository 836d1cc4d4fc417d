/**
 * One clock for decisions: the store's. Every instance that shares a store estimates the
 * offset between its local clock and the store's (`Store.time`), and decides with
 * `local + offset`, so instances agree within the uncertainty of their estimate whatever
 * their own clocks say. Expiry in the store (TTLs) already runs on the store's clock.
 *
 * - A sample is one `time()` round trip: offset = store time − midpoint of the round trip;
 *   uncertainty = half the round trip. A sample whose uncertainty exceeds `boundMs` is
 *   discarded (up to `tries` per refresh).
 * - The estimate is sampled at first use and refreshed in the background every `refreshMs`;
 *   an operation waits for a sample only when there is none or the last good one is older
 *   than `maxAgeMs`. Amortized cost: one round trip per `refreshMs` per instance.
 * - No usable estimate (the store's clock cannot be read, or only with an uncertainty above
 *   the bound): `ready` resolves false and the verifier fails closed (`store_unavailable`).
 *
 * The local clock defaults to a monotonic one (`performance.timeOrigin + performance.now()`),
 * so a step of the instance's wall clock between samples changes nothing. @internal
 * @module
 */

import { CLOCK_BOUND_MS } from '../feature/clock';

export { CLOCK_BOUND_MS, MARKER_PADDING_MS } from '../feature/clock';

/**
 * A seam for tests (simulated instance clocks): set under this key in the verifier's options,
 * a function replacing the local clock the estimator reads. Not part of the public API.
 * @internal
 */
export const LOCAL_CLOCK = Symbol.for('phoneproof.localClock');

/**
 * A verifier's decision clock, as a non-enumerable property under this key, so that the HTTP
 * handler's countdowns (`expiresIn`, `resendIn`) use the same clock. @internal
 */
export const DECISION_CLOCK = Symbol.for('phoneproof.decisionClock');

/** The decision clock of a verifier built by `createVerifier`, if any. */
export function decisionClockOf(verifier: unknown): (() => number) | undefined {
  if (typeof verifier !== 'object' || verifier === null) return undefined;
  const c = (verifier as { [DECISION_CLOCK]?: unknown })[DECISION_CLOCK];
  return typeof c === 'function' ? (c as () => number) : undefined;
}

export interface StoreClockOptions {
  /** The store's clock, epoch ms. */
  readonly time: () => Promise<number>;
  /** The instance's local clock, epoch ms (default monotonic, see above). */
  readonly local?: () => number;
  /** Largest accepted uncertainty, ms (default `CLOCK_BOUND_MS`). */
  readonly boundMs?: number;
  /** Background refresh period, ms (default 30 000). */
  readonly refreshMs?: number;
  /** Age after which an estimate is no longer used, ms (default 4 × `refreshMs`). */
  readonly maxAgeMs?: number;
  /** Samples tried per refresh before giving up (default 3). */
  readonly tries?: number;
}

export interface ClockEstimate {
  /** Store time − local time, ms. */
  readonly offsetMs: number;
  /** Half the round trip of the sample, ms. */
  readonly uncertaintyMs: number;
  /** Local time of the sample. */
  readonly sampledAt: number;
}

export interface StoreClock {
  /** The store's time as estimated now (local + offset); the local time before any sample. */
  now(): number;
  /** Resolves true once a usable estimate exists (sampling when needed), false when none can. */
  ready(): Promise<boolean>;
  /** The current estimate, if any. */
  estimate(): ClockEstimate | undefined;
}

const monotonic = (): number => performance.timeOrigin + performance.now();

/** Builds the estimator; nothing is sampled before the first `ready`. */
export function storeClock(options: StoreClockOptions): StoreClock {
  const local = options.local ?? monotonic;
  const boundMs = options.boundMs ?? CLOCK_BOUND_MS;
  const refreshMs = options.refreshMs ?? 30_000;
  const maxAgeMs = options.maxAgeMs ?? 4 * refreshMs;
  const tries = options.tries ?? 3;
  let current: ClockEstimate | undefined;
  let pending: Promise<boolean> | undefined;

  const sampleOnce = async (): Promise<ClockEstimate | undefined> => {
    const t0 = local();
    const s = await options.time();
    const t1 = local();
    if (typeof s !== 'number' || !Number.isFinite(s) || t1 < t0) return undefined;
    const half = (t1 - t0) / 2;
    if (half > boundMs) return undefined;
    return { offsetMs: s - (t0 + half), uncertaintyMs: half, sampledAt: t1 };
  };

  const refresh = (): Promise<boolean> => {
    if (pending) return pending;
    pending = (async () => {
      try {
        for (let i = 0; i < tries; i++) {
          const e = await sampleOnce();
          if (e) {
            current = e;
            return true;
          }
        }
        return false;
      } catch {
        return false;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };

  const usable = (): boolean => {
    if (!current) return false;
    const age = local() - current.sampledAt;
    return age >= 0 && age <= maxAgeMs;
  };

  return {
    now: () => Math.round(local() + (current?.offsetMs ?? 0)),
    async ready() {
      if (usable()) {
        if (local() - (current as ClockEstimate).sampledAt > refreshMs) void refresh();
        return true;
      }
      await refresh();
      return usable();
    },
    estimate: () => current,
  };
}
