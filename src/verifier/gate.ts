/**
 * The clock gate, a feature: its `beforeOperation` hook waits for the decision clock
 * (`Shell.clockReady`, immediate once the store's clock is estimated) and fails closed with
 * `store_unavailable` when the clock cannot be trusted. Without a store clock (an injected
 * `now`, or a store without `time`) it has no hook. `gateOperations` runs the
 * `beforeOperation` hooks before every public operation, the features' APIs included; with
 * none installed the operations are returned unchanged. @internal
 * @module
 */
import { err, ResultAsync } from 'neverthrow';
import type { VerifyError } from '../errors';
import type { Feature } from '../feature/feature';
import type { Hooks } from './hooks';
import type { Shell } from './shell';
import type { Verifier } from './types';

/** The clock gate feature. */
export function clockGate(sh: Shell): Feature {
  return {
    name: 'clock',
    hooks: sh.clockReady ? { beforeOperation: sh.clockReady } : {},
    api: undefined,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: any operation's argument list.
type Op = (...args: any[]) => ResultAsync<unknown, VerifyError>;

/** `op`, run only once every `beforeOperation` hook lets it. */
function gated<F extends Op>(hooks: Hooks, op: F): F {
  const enter = async () => {
    for (const h of hooks.beforeOperation) {
      const r = await h();
      if (r.isErr()) return r;
    }
    return undefined;
  };
  const wrapped = (...args: Parameters<F>) =>
    new ResultAsync(enter().then((refused) => (refused ? err(refused.error) : op(...args))));
  return wrapped as unknown as F;
}

/** A copy of `api` with every function member gated (other members as they are). */
function gatedApi<T extends object>(hooks: Hooks, api: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(api)) {
    out[name] = typeof value === 'function' ? gated(hooks, value as Op) : value;
  }
  return out as T;
}

/** Every public operation behind the `beforeOperation` hooks (unchanged without any). */
export function gateOperations<P extends boolean>(hooks: Hooks, v: Verifier<P>): Verifier<P> {
  if (hooks.beforeOperation.length === 0) return v;
  return {
    ...v,
    start: gated(hooks, v.start),
    check: gated(hooks, v.check),
    resend: gated(hooks, v.resend),
    cancel: gated(hooks, v.cancel),
    status: gated(hooks, v.status),
    delivery: gated(hooks, v.delivery),
    consent: gatedApi(hooks, v.consent),
    totp: gatedApi(hooks, v.totp),
    verifyProof: gated(hooks, v.verifyProof),
    invalidate: gated(hooks, v.invalidate),
  };
}
