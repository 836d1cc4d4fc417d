/**
 * `verifier.invalidate`: the security-stamp change of ASP.NET Identity's account endpoint
 * (after a phone change or a password reset). For a phone: every pending verification is
 * canceled (without counting a failure). For a subject: the current authenticator codes,
 * a pending enrollment and outstanding second-factor challenges are revoked. For both: every
 * outstanding proof is refused from now on. @internal
 * @module
 */
import { errAsync, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import { invalidateTransition } from '../core/invalidate';
import type { VerifyError } from '../errors';
import { publishCore } from '../feature/events';
import { bad, objectInput } from '../feature/input';
import type { Proofs, SubjectRevocation } from '../feature/proofs';
import { subjectOf } from '../feature/subject';
import type { InvalidateInput, InvalidateResult } from '../proof/types';
import { phoneKey } from '../secrets';
import type { Shell } from './shell';

export function makeInvalidate(
  sh: Shell,
  proofs: Proofs,
  totp: SubjectRevocation,
): (input: InvalidateInput) => ResultAsync<InvalidateResult, VerifyError> {
  return (input) => {
    const at = sh.now();
    const parsed = objectInput(input).andThen((o) => {
      if (o.phone === undefined && o.subject === undefined) {
        return bad('invalidate needs a `phone`, a `subject` or both.');
      }
      const phone: Result<string | undefined, VerifyError> =
        o.phone === undefined ? ok(undefined) : sh.phoneOf(o.phone).map((p) => p.number);
      const subject: Result<string | undefined, VerifyError> =
        o.subject === undefined ? ok(undefined) : subjectOf(o.subject);
      return phone.andThen((p) => subject.map((x) => ({ phone: p, subject: x })));
    });
    if (parsed.isErr()) return errAsync(parsed.error);
    const { phone, subject } = parsed.value;
    const canceled: ResultAsync<readonly string[], VerifyError> =
      phone === undefined
        ? okAsync([])
        : new ResultAsync(
            sh.transact(`phone:${phoneKey(sh.ring, phone)}`, at, (s) =>
              invalidateTransition(s, at, sh.policy),
            ),
          ).map((step) => {
            publishCore(sh.publish, step.events, { to: sh.mask(phone) });
            return step.decision.unwrapOr([]);
          });
    return canceled.andThen((ids) =>
      (subject === undefined ? okAsync(false) : totp.invalidate(subject, at)).andThen(
        (enrolled) => {
          // Read the clock again: every approval committed before the cancellations above
          // started no later than this, so its proof (verifiedAt <= revokedAt) is refused.
          const revokedAt = sh.now();
          const targets = {
            ...(phone !== undefined ? { phone } : {}),
            ...(subject !== undefined ? { subject } : {}),
          };
          const revoked = proofs.enabled ? proofs.revoke(targets, revokedAt) : okAsync(revokedAt);
          return revoked.map(() => ({ canceled: ids, totp: enrolled, revokedAt }));
        },
      ),
    );
  };
}
