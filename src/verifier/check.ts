/**
 * The `check` operation: builds the check's context once (one timestamp; the phone key the
 * opaque id carries, or the parsed number; the requester), runs the `beforeCheck` hooks,
 * evaluates the code inside one atomic transition and hands an approval to the
 * `afterApprove` hooks. @internal
 * @module
 */
import { err, errAsync, ok, type Result, ResultAsync } from 'neverthrow';
import { normalizeCodeInput } from '../codes';
import { type CheckTarget, checkTransition, findTarget } from '../core/check';
import type { Step } from '../core/refusal';
import type { VerificationState } from '../core/state';
import { type VerifyError, verifyError } from '../errors';
import { refusalError } from '../feature/errors';
import { publishCore, silent } from '../feature/events';
import { type CheckContext, operationBase } from '../feature/feature';
import { bad, objectInput, purposeOf } from '../feature/input';
import type { CheckResult } from '../feature/operation-types';
import { requesterTag } from '../feature/requester';
import { codeMatches, phoneKey, unseal } from '../secrets';
import { afterApprove, gateCheck, type Hooks } from './hooks';
import type { Shell } from './shell';
import type { Verifier } from './types';

interface Parsed {
  readonly ctx: CheckContext;
  readonly code: string;
  readonly target: CheckTarget;
}

/** The check's one context, or the input's refusal. */
function parse(sh: Shell, input: unknown, at: number): Result<Parsed, VerifyError> {
  const { policy } = sh;
  return objectInput(input).andThen((o) => {
    const code = normalizeCodeInput(o.code, policy.codeLength, policy.alphabet);
    if (code === undefined) {
      return bad(`\`code\` must be ${policy.codeLength} characters of the code alphabet.`);
    }
    const base = operationBase(o, at, sh.ipv6Prefix);
    if (o.id !== undefined) {
      // The id carries the phone key: nothing to parse, decrypt or hash.
      return sh.ids.open(o.id).map(
        ({ id, phoneKey: pk }): Parsed => ({
          ctx: { op: 'check', ...base, id, phoneKey: pk },
          code,
          target: { id },
        }),
      );
    }
    return sh.phoneOf(o.phone).andThen((phone) =>
      purposeOf(o.purpose).map(
        (purpose): Parsed => ({
          ctx: {
            op: 'check',
            ...base,
            phone,
            phoneKey: phoneKey(sh.ring, phone.number),
          },
          code,
          target: { purpose },
        }),
      ),
    );
  });
}

/** Publishes a refused check's events; the refusal as the catalog error. */
function refused(
  sh: Shell,
  ctx: CheckContext,
  step: Step<VerificationState>,
  target: CheckTarget,
  by: string,
  error: NonNullable<ReturnType<Step<VerificationState>['decision']['_unsafeUnwrapErr']>>,
): VerifyError {
  const targeted = findTarget(step.state, target, by);
  const to = targeted?.to ?? '';
  if (!ctx.silent) publishCore(sh.publish, step.events, { to, context: ctx.context });
  const emit = sh.emitter(ctx.silent);
  if (error.code === 'code_mismatch' && emit !== silent) {
    emit({
      type: 'verification.check_failed',
      at: ctx.at,
      attemptsLeft: error.attemptsLeft ?? 0,
      to,
      ...(targeted ? { id: targeted.id } : {}),
      ...(ctx.context ? { context: ctx.context } : {}),
    });
  }
  return refusalError(error, ctx.at);
}

async function run(
  sh: Shell,
  hooks: Hooks,
  { ctx, code, target }: Parsed,
): Promise<Result<CheckResult, VerifyError>> {
  const gate = gateCheck(hooks, ctx);
  const g = gate instanceof Promise ? await gate : gate;
  if (g.isErr()) return err(g.error);
  const { at } = ctx;
  const by = requesterTag(sh.ring, ctx.requester);
  // One write: the verification, the features' budgets and their approval bookkeeping.
  const r = await sh.transact(
    `phone:${ctx.phoneKey}`,
    at,
    (s) =>
      checkTransition(
        s,
        target,
        (v) => codeMatches(sh.ring, v.digest, v.id, v.purpose, code),
        at,
        sh.policy,
        by,
      ),
    g.value,
  );
  if (r.isErr()) return err(r.error);
  const step = r.value;
  const d = step.decision;
  if (d.isErr()) return err(refused(sh, ctx, step, target, by, d.error));
  const v = d.value;
  if (!ctx.silent) publishCore(sh.publish, step.events, { to: v.to, context: ctx.context });
  const kept = sh.ids.approved(v.id, v.sealed);
  const phone =
    ctx.phone?.number ?? kept ?? unseal(sh.ring, 'phone-number', v.sealed, { legacy: true });
  if (phone === undefined) {
    return err(
      verifyError('store_corrupt', {
        message: 'The stored number cannot be decrypted with the configured secrets.',
      }),
    );
  }
  const emit = sh.emitter(ctx.silent);
  if (emit !== silent) {
    const c = ctx.context ? { context: ctx.context } : {};
    emit({ type: 'verification.approved', at, id: v.id, to: v.to, purpose: v.purpose, ...c });
  }
  const approved: CheckResult = {
    status: 'approved',
    id: v.id,
    phone,
    to: v.to,
    purpose: v.purpose,
    verifiedAt: at,
  };
  return hooks.afterApprove.length === 0 ? ok(approved) : afterApprove(hooks, approved, ctx);
}

export function makeCheck(sh: Shell, hooks: Hooks): Verifier['check'] {
  return (input) => {
    const parsed = parse(sh, input, sh.now());
    if (parsed.isErr()) return errAsync(parsed.error);
    return new ResultAsync(run(sh, hooks, parsed.value));
  };
}
