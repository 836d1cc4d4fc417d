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
  CheckTicket,
  Feature,
  FeatureHooks,
  SendContext,
  SendNext,
  SendTicket,
} from '../feature/feature';
import type { CheckResult, StartResult } from '../feature/operation-types';
import type { OperationRecords } from '../feature/records';
import type { OutgoingMessage, Sender, SendOutcome } from '../ports/sender';

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

/**
 * What the `beforeSend` hooks decided: refused, a replayed answer, or go with the features'
 * records (their share of the operation's one write) and settlers.
 */
export type SendGate =
  | { readonly kind: 'refused'; readonly error: VerifyError }
  | { readonly kind: 'replay'; readonly result: StartResult; readonly settle: Settle }
  | {
      readonly kind: 'go';
      readonly settle: Settle;
      readonly records: readonly OperationRecords[];
    };

/** Tells the features that let a send through how its operation ended (reverse order). */
export type Settle = (
  outcome: Result<StartResult, VerifyError>,
) => Promise<Result<StartResult, VerifyError>>;

const settled: Settle = (outcome) => Promise.resolve(outcome);

/** The settlers in reverse order; a settler's error replaces a refusal's (see `SendTicket`). */
function settlerOf(tickets: readonly SendTicket[]): Settle {
  if (!tickets.some((t) => t.settle !== undefined)) return settled;
  return async (outcome) => {
    let out = outcome;
    for (let i = tickets.length - 1; i >= 0; i -= 1) {
      const replaced = await tickets[i]!.settle?.(out);
      if (replaced !== undefined && out.isErr()) out = err(replaced);
    }
    return out;
  };
}

const NO_RECORDS: readonly OperationRecords[] = [];
/** The tickets' records, in order (a loop: `flatMap` cost a per-ticket array on the hot path). */
function recordsOf(tickets: readonly { readonly records?: OperationRecords }[]) {
  if (tickets.length === 0) return NO_RECORDS;
  const out: OperationRecords[] = [];
  for (const t of tickets) if (t.records !== undefined) out.push(t.records);
  return out;
}

type Answer = Result<SendTicket | undefined, VerifyError>;

/** A hook's answer still to come (the hooks may answer synchronously, or not). */
const isThenable = <T>(x: unknown): x is PromiseLike<T> =>
  typeof (x as { then?: unknown }).then === 'function';

/** One hook's answer applied: a final gate (refused, replay), or undefined to go on. */
function apply(r: Answer, tickets: SendTicket[]): SendGate | Promise<SendGate> | undefined {
  if (r.isErr()) {
    if (tickets.length === 0) return { kind: 'refused', error: r.error };
    return settlerOf(tickets)(err(r.error)).then((o) => ({
      kind: 'refused',
      error: o.isErr() ? o.error : r.error,
    }));
  }
  const t = r.value;
  if (t?.replay !== undefined)
    return { kind: 'replay', result: t.replay, settle: settlerOf(tickets) };
  if (t?.settle !== undefined || t?.records !== undefined) tickets.push(t);
  return undefined;
}

/**
 * Runs every `beforeSend` hook in order; the first refusal or replay stops the rest (the
 * features already passed are settled with it). Synchronous while the hooks answer
 * synchronously (the common case: nothing to reserve), so the hot path awaits nothing.
 */
export function gateSend(
  hooks: Hooks,
  ctx: SendContext,
  from = 0,
  tickets: SendTicket[] = [],
): SendGate | Promise<SendGate> {
  for (let i = from; i < hooks.beforeSend.length; i += 1) {
    const r = hooks.beforeSend[i]!(ctx);
    if (isThenable<Answer>(r)) {
      return Promise.resolve(r).then(
        (answer) => apply(answer, tickets) ?? gateSend(hooks, ctx, i + 1, tickets),
      );
    }
    const done = apply(r, tickets);
    if (done) return done;
  }
  return { kind: 'go', settle: settlerOf(tickets), records: recordsOf(tickets) };
}

/** Runs `op` (given the features' records) behind the gate: a refusal, a replay, or `op` then the settlers. */
export function behindGate(
  gate: SendGate,
  op: (records: readonly OperationRecords[]) => Promise<Result<StartResult, VerifyError>>,
): Promise<Result<StartResult, VerifyError>> {
  if (gate.kind === 'refused') return Promise.resolve(err(gate.error));
  if (gate.kind === 'replay') return gate.settle(ok(gate.result));
  return gate.settle === settled ? op(gate.records) : op(gate.records).then(gate.settle);
}

/** The sender behind every `send` hook, in feature order. */
export function sendChain(
  hooks: Hooks,
  sender: Sender,
): (message: OutgoingMessage, at: number) => Promise<SendOutcome> {
  if (hooks.send.length === 0) return (message) => Promise.resolve(sender.send(message));
  const through =
    (i: number, at: number): SendNext =>
    (m) =>
      i === hooks.send.length
        ? Promise.resolve(sender.send(m))
        : hooks.send[i]!(m, at, through(i + 1, at));
  return (message, at) => through(0, at)(message);
}

type CheckAnswer = Result<CheckTicket | undefined, VerifyError>;

/**
 * Runs the `beforeCheck` hooks in order: the first refusal, or the features' records (their
 * share of the check's one write). Synchronous while the hooks answer synchronously.
 */
export function gateCheck(
  hooks: Hooks,
  ctx: CheckContext,
  from = 0,
  tickets: CheckTicket[] = [],
):
  | Result<readonly OperationRecords[], VerifyError>
  | Promise<Result<readonly OperationRecords[], VerifyError>> {
  for (let i = from; i < hooks.beforeCheck.length; i += 1) {
    const r = hooks.beforeCheck[i]!(ctx);
    if (r === undefined) continue;
    if (isThenable<CheckAnswer>(r)) {
      return Promise.resolve(r).then((a) => {
        if (a.isErr()) return err(a.error);
        if (a.value !== undefined) tickets.push(a.value);
        return gateCheck(hooks, ctx, i + 1, tickets);
      });
    }
    if (r.isErr()) return err(r.error);
    if (r.value !== undefined) tickets.push(r.value);
  }
  return ok(recordsOf(tickets));
}

type ApproveAnswer = Result<CheckResult, VerifyError>;

/**
 * Runs the `afterApprove` hooks (reverse feature order); the first failure fails the check.
 * Synchronous while the hooks answer synchronously (a proof is signed in memory).
 */
export function afterApprove(
  hooks: Hooks,
  approved: CheckResult,
  ctx: CheckContext,
  from = 0,
): ApproveAnswer | Promise<ApproveAnswer> {
  let result = approved;
  for (let i = from; i < hooks.afterApprove.length; i += 1) {
    const next = hooks.afterApprove[i]!(result, ctx);
    if (isThenable<ApproveAnswer>(next)) {
      return Promise.resolve(next).then((a) =>
        a.isErr() ? err(a.error) : afterApprove(hooks, a.value, ctx, i + 1),
      );
    }
    if (next.isErr()) return err(next.error);
    result = next.value;
  }
  return ok(result);
}
