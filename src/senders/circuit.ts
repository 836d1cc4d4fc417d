/**
 * A circuit breaker per provider, as pure transitions over a small state:
 *
 * - `closed`: calls pass; `failureThreshold` provider failures in a row open the circuit.
 * - `open` until `until`: calls are refused at once (the failover chain skips the provider).
 * - `half_open`: after the wait, exactly one call passes as a probe; success closes the
 *   circuit, failure opens it again for twice as long (up to `maxOpenMs`).
 *
 * Only provider failures count. A permanent number error (invalid, landline...) proves the
 * provider is up, so it counts as a success.
 * @module
 */

export interface CircuitOptions {
  /** Consecutive provider failures that open the circuit (default 5). */
  readonly failureThreshold?: number;
  /** First open period, ms (default 30 s). */
  readonly openMs?: number;
  /** Longest open period after repeated failed probes, ms (default 5 min). */
  readonly maxOpenMs?: number;
}

export type CircuitState =
  | { readonly mode: 'closed'; readonly failures: number }
  | { readonly mode: 'open'; readonly until: number; readonly openMs: number }
  | { readonly mode: 'half_open'; readonly openMs: number };

export interface ResolvedCircuit {
  readonly failureThreshold: number;
  readonly openMs: number;
  readonly maxOpenMs: number;
}

export const closedCircuit: CircuitState = { mode: 'closed', failures: 0 };

/** Fills defaults; throws on misconfiguration. */
export function resolveCircuit(o: CircuitOptions = {}): ResolvedCircuit {
  const r = {
    failureThreshold: o.failureThreshold ?? 5,
    openMs: o.openMs ?? 30_000,
    maxOpenMs: o.maxOpenMs ?? 300_000,
  };
  if (!Number.isInteger(r.failureThreshold) || r.failureThreshold < 1) {
    throw new TypeError('phoneproof: circuit.failureThreshold must be a whole number >= 1.');
  }
  if (!(r.openMs > 0) || !(r.maxOpenMs >= r.openMs)) {
    throw new TypeError('phoneproof: circuit.openMs must be > 0 and maxOpenMs >= openMs.');
  }
  return r;
}

/**
 * Whether a call may pass now. An expired open circuit becomes `half_open` and lets this
 * one call through as the probe; while the probe is out, further calls are refused.
 */
export function admit(
  state: CircuitState,
  now: number,
): { readonly allowed: boolean; readonly probe: boolean; readonly state: CircuitState } {
  if (state.mode === 'closed') return { allowed: true, probe: false, state };
  if (state.mode === 'open' && now >= state.until) {
    return { allowed: true, probe: true, state: { mode: 'half_open', openMs: state.openMs } };
  }
  return { allowed: false, probe: false, state };
}

/** After a call that reached a working provider. */
export function onSuccess(_state: CircuitState): CircuitState {
  return closedCircuit;
}

/** After a provider failure at `now`. */
export function onFailure(state: CircuitState, now: number, r: ResolvedCircuit): CircuitState {
  if (state.mode === 'closed') {
    const failures = state.failures + 1;
    return failures >= r.failureThreshold
      ? { mode: 'open', until: now + r.openMs, openMs: r.openMs }
      : { mode: 'closed', failures };
  }
  if (state.mode === 'half_open') {
    const openMs = Math.min(r.maxOpenMs, state.openMs * 2);
    return { mode: 'open', until: now + openMs, openMs };
  }
  // A call admitted before the circuit opened failed late: keep the current open period.
  return state;
}
