/**
 * Gates the public operations on the decision clock: each waits for `Shell.clockReady`
 * (immediate once the store's clock is estimated) and fails closed with
 * `store_unavailable` when the clock cannot be trusted. Without a store clock (injected
 * `now`, or a store without `time`) the operations are returned unchanged. @internal
 * @module
 */
import { err, ResultAsync } from 'neverthrow';
import type { VerifyError } from '../errors';
import type { Shell } from './shell';

// biome-ignore lint/suspicious/noExplicitAny: any operation's argument list.
type Op = (...args: any[]) => ResultAsync<unknown, VerifyError>;

/** `op`, run only once the decision clock is ready. */
export function gated<F extends Op>(sh: Shell, op: F): F {
  const wrapped = (...args: Parameters<F>) =>
    new ResultAsync(
      sh.clockReady().then((ready) => (ready.isErr() ? err(ready.error) : op(...args))),
    );
  return wrapped as unknown as F;
}

/** A copy of `api` with every function member gated (other members as they are). */
export function gatedApi<T extends object>(sh: Shell, api: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(api)) {
    out[name] = typeof value === 'function' ? gated(sh, value as Op) : value;
  }
  return out as T;
}
