/**
 * The `check` operation: evaluates a code inside one atomic transition. @internal
 * @module
 */
import { err, errAsync, ok, type Result, ResultAsync } from 'neverthrow';
import { normalizeCodeInput } from '../codes';
import { type CheckTarget, checkTransition, findTarget } from '../core/check';
import { type VerifyError, verifyError } from '../errors';
import { codeMatches, phoneKey, unseal } from '../secrets';
import { publishCore, silent } from './events';
import { openId } from './ids';
import { bad, objectInput, purposeOf } from './input';
import { requesterTag } from './requester';
import { refusalError, type Shell } from './shell';
import type { CheckResult, RequestContext, Verifier } from './types';

interface Parsed {
  readonly o: Record<string, unknown>;
  readonly code: string;
  readonly key: string;
  readonly target: CheckTarget;
  readonly phone?: string;
}

export function makeCheck(sh: Shell): Verifier['check'] {
  const { policy } = sh;
  return (input) => {
    const at = sh.now();
    const parsed = objectInput(input).andThen((o) => {
      const code = normalizeCodeInput(o.code, policy.codeLength, policy.alphabet);
      if (code === undefined) {
        return bad(`\`code\` must be ${policy.codeLength} characters of the code alphabet.`);
      }
      if (o.id !== undefined) {
        return openId(sh.ring, o.id).map(
          ({ id, key }): Parsed => ({ o, code, key, target: { id } }),
        );
      }
      return sh.phoneOf(o.phone).andThen((phone) =>
        purposeOf(o.purpose).map(
          (purpose): Parsed => ({
            o,
            code,
            key: `phone:${phoneKey(sh.ring, phone.number)}`,
            target: { purpose },
            phone: phone.number,
          }),
        ),
      );
    });
    if (parsed.isErr()) return errAsync(parsed.error);
    const { o, code, key, target } = parsed.value;
    const context = o.context as RequestContext | undefined;
    const ctx = context ? { context } : {};
    const by = requesterTag(sh.ring, context);
    const emit = sh.emitter(o.silent);
    const run = async (): Promise<Result<CheckResult, VerifyError>> => {
      const r = await sh.transactP(key, at, (s) =>
        checkTransition(
          s,
          target,
          (v) => codeMatches(sh.ring, v.digest, v.id, v.purpose, code),
          at,
          policy,
          by,
        ),
      );
      if (r.isErr()) return err(r.error);
      const step = r.value;
      const d = step.decision;
      const targeted = findTarget(step.state, target, by);
      const to = targeted?.to ?? '';
      if (o.silent !== true) publishCore(sh.publish, step.events, { to, context });
      if (d.isErr()) {
        if (d.error.code === 'code_mismatch' && emit !== silent) {
          const id = targeted ? { id: targeted.id } : {};
          emit({
            type: 'verification.check_failed',
            at,
            attemptsLeft: d.error.attemptsLeft ?? 0,
            to,
            ...id,
            ...ctx,
          });
        }
        return err(refusalError(d.error, at));
      }
      const v = d.value;
      const phone =
        parsed.value.phone ?? unseal(sh.ring, 'phone-number', v.sealed, { legacy: true });
      if (phone === undefined) {
        return err(
          verifyError('store_corrupt', {
            message: 'The stored number cannot be decrypted with the configured secrets.',
          }),
        );
      }
      if (emit !== silent) {
        emit({ type: 'verification.approved', at, id: v.id, to: v.to, purpose: v.purpose, ...ctx });
      }
      let approved: CheckResult = {
        status: 'approved',
        id: v.id,
        phone,
        to: v.to,
        purpose: v.purpose,
        verifiedAt: at,
      };
      for (const hook of sh.hooks.afterApprove) {
        const next = await hook(approved, { at, silent: o.silent === true, ...ctx });
        if (next.isErr()) return err(next.error);
        approved = next.value;
      }
      return ok(approved);
    };
    return new ResultAsync(run());
  };
}
