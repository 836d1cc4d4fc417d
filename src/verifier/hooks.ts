/**
 * The hooks of the installed features, gathered per named point (see `src/feature/feature.ts`
 * for the points and the feature shape), and the runners the operations call. "Before"
 * points run in the order of the feature list, "after" points (`afterApprove`, a ticket's
 * `settle`) in reverse: the feature listed first sees an operation first and last. @internal
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import type { VerifyError } from '../errors';
import type {
  CheckContext,
  Feature,
  FeatureHooks,
  SendContext,
  SendNext,
  SendTicket,
} from '../feature/feature';
import type { CheckResult, StartResult } from '../feature/operation-types';
import type { Sender } from '../ports/sender';

type Hook<K extends keyof FeatureHooks> = NonNullable<FeatureHooks[K]>;

/** The installed hooks, per point. */
export interface Hooks {
  readonly beforeOperation: readonly Hook<'beforeOperation'>[];
  readonly presetCode: readonly Hook<'presetCode'>[];
  readonly beforeSend: readonly Hook<'beforeSend'>[];
  readonly send: readonly Hook<'send'>[];
  readonly beforeCheck: readonly Hook<'beforeCheck'>[];
  /** In reverse feature order. */
  readonly afterApprove: readonly Hook<'afterApprove'>[];
}

/** The hooks of `features`, per point. */
export function hooksOf(features: readonly Feature<unknown>[]): Hooks {
  const of = <K extends keyof FeatureHooks>(k: K) =>
    features.flatMap((f) => (f.hooks[k] === undefined ? [] : [f.hooks[k] as Hook<K>]));
  return {
    beforeOperation: of('beforeOperation'),
    presetCode: of('presetCode'),
    beforeSend: of('beforeSend'),
    send: of('send'),
    beforeCheck: of('beforeCheck'),
    afterApprove: of('afterApprove').reverse(),
  };
}

/** The first preset code for the send, if a feature has one. */
export function presetCodeFor(hooks: Hooks, ctx: SendContext): string | undefined {
  for (const f of hooks.presetCode) {
    const code = f(ctx);
    if (code !== undefined) return code;
  }
  return undefined;
}

/** What the `beforeSend` hooks decided: refused, a replayed answer, or go with settlers. */
export type SendGate =
  | { readonly kind: 'refused'; readonly error: VerifyError }
  | { readonly kind: 'replay'; readonly result: StartResult; readonly settle: Settle }
  | { readonly kind: 'go'; readonly settle: Settle };

/** Tells the features that let a send through how its operation ended (reverse order). */
export type Settle = (
  outcome: Result<StartResult, VerifyError>,
) => Promise<Result<StartResult, VerifyError>>;

const settled: Settle = (outcome) => Promise.resolve(outcome);

function settlerOf(tickets: readonly SendTicket[]): Settle {
  if (tickets.length === 0) return settled;
  return async (outcome) => {
    for (let i = tickets.length - 1; i >= 0; i -= 1) await tickets[i]!.settle?.(outcome);
    return outcome;
  };
}

/**
 * Runs every `beforeSend` hook in order; the first refusal or replay stops the rest (the
 * features already passed are settled with it).
 */
export async function gateSend(hooks: Hooks, ctx: SendContext): Promise<SendGate> {
  const tickets: SendTicket[] = [];
  for (const h of hooks.beforeSend) {
    const r = await h(ctx);
    if (r.isErr()) {
      await settlerOf(tickets)(err(r.error));
      return { kind: 'refused', error: r.error };
    }
    const t = r.value;
    if (t?.replay !== undefined)
      return { kind: 'replay', result: t.replay, settle: settlerOf(tickets) };
    if (t?.settle !== undefined) tickets.push(t);
  }
  return { kind: 'go', settle: settlerOf(tickets) };
}

/** The sender behind every `send` hook, in feature order. */
export function sendChain(
  hooks: Hooks,
  sender: Sender,
): (message: Parameters<SendNext>[0], at: number) => Promise<Awaited<ReturnType<SendNext>>> {
  const last: (at: number) => SendNext = () => (m) => sender.send(m);
  let chain = last;
  for (let i = hooks.send.length - 1; i >= 0; i -= 1) {
    const h = hooks.send[i]!;
    const inner = chain;
    chain = (at) => (m) => h(m, at, inner(at));
  }
  return (message, at) => chain(at)(message);
}

/** Runs the `beforeCheck` hooks; undefined when none applies (no await on the hot path). */
export function gateCheck(
  hooks: Hooks,
  ctx: CheckContext,
): Promise<Result<void, VerifyError>> | undefined {
  if (hooks.beforeCheck.length === 0) return undefined;
  return (async () => {
    for (const h of hooks.beforeCheck) {
      const r = await h(ctx);
      if (r?.isErr()) return r;
    }
    return ok(undefined);
  })();
}

/** Runs the `afterApprove` hooks (reverse feature order); the first failure fails the check. */
export async function afterApprove(
  hooks: Hooks,
  approved: CheckResult,
  ctx: CheckContext,
): Promise<Result<CheckResult, VerifyError>> {
  let result = approved;
  for (const h of hooks.afterApprove) {
    const next = await h(result, ctx);
    if (next.isErr()) return err(next.error);
    result = next.value;
  }
  return ok(result);
}
