/**
 * `totp.verify` and `totp.recover`: a code (or recovery code) for a subject or for a
 * second-factor challenge, decided in one atomic transition, answered with a proof.
 * @internal
 * @module
 */
import { errAsync, type Result, type ResultAsync } from 'neverthrow';
import { toBase64Url } from '../crypto';
import type { VerifyError } from '../errors';
import { refusalError } from '../feature/errors';
import { bad, objectInput, purposeOf } from '../feature/input';
import { subjectOf } from '../feature/subject';
import { openChallenge } from './challenge';
import { normalizeToken, resealed, type TotpContext, tokenMatcher } from './context';
import { findRecoveryCode, normalizeRecoveryCode } from './recovery';
import { codeTransition, recoveryTransition, type TotpStep } from './transitions';
import type { TotpApi, TotpApproval } from './types';

interface Target {
  readonly subject: string;
  readonly purpose: string;
  readonly id: string;
  /** Set when the code answers a challenge. */
  readonly issuedAt?: number;
}

/** Resolves `{ id }` (a challenge) or `{ subject, purpose? }`. */
export function targetOf(
  ctx: TotpContext,
  o: Record<string, unknown>,
  at: number,
): Result<Target, VerifyError> {
  if (o.id !== undefined) {
    if (typeof o.id !== 'string') return bad('`id` must be a second-factor challenge id.');
    return openChallenge(ctx.sh.ring, o.id, at, ctx.config.challengeTtlMs).map((c) => ({
      subject: c.subject,
      purpose: c.purpose,
      id: c.nonce,
      issuedAt: c.issuedAt,
    }));
  }
  return subjectOf(o.subject).andThen((subject) =>
    purposeOf(o.purpose).map((purpose) => ({
      subject,
      purpose,
      id: toBase64Url(ctx.sh.random(16)),
    })),
  );
}

function approve(
  ctx: TotpContext,
  t: Target,
  method: 'totp' | 'recovery',
  at: number,
  extra: { recoveryCodesLeft?: number },
): ResultAsync<TotpApproval, VerifyError> {
  return ctx.proofs
    .issue(
      {
        kind: 'subject',
        sub: t.subject,
        purpose: t.purpose,
        verificationId: t.id,
        method,
        verifiedAt: at,
      },
      at,
    )
    .map((proof) => ({
      status: 'approved' as const,
      subject: t.subject,
      purpose: t.purpose,
      id: t.id,
      method,
      verifiedAt: at,
      ...extra,
      ...(proof !== undefined ? { proof } : {}),
    }));
}

function decided<T>(step: TotpStep<T>, at: number): Result<T, VerifyError> {
  return step.decision.mapErr((r) => refusalError(r, at));
}

export function makeVerify(ctx: TotpContext): TotpApi['verify'] {
  const { sh } = ctx;
  return (input) => {
    const at = sh.now();
    const parsed = objectInput(input).andThen((o) => {
      const token = normalizeToken(o.token);
      if (token === undefined)
        return bad('`token` must be the 6-8 digit code from the authenticator app.');
      return targetOf(ctx, o, at).map((t) => ({ t, token }));
    });
    if (parsed.isErr()) return errAsync(parsed.error);
    const { t, token } = parsed.value;
    const iv = sh.random(12);
    const matches = tokenMatcher(sh.ring, token);
    return ctx
      .transact(ctx.hashOf(t.subject), at, (s) => {
        const step = codeTransition(
          s,
          {
            mode: 'verify',
            matches,
            tolerance: ctx.config.tolerance,
            ...(t.issuedAt !== undefined ? { challengeIssuedAt: t.issuedAt } : {}),
          },
          at,
          ctx.policy,
        );
        return step.decision.isOk() ? { ...step, state: resealed(sh.ring, step.state, iv) } : step;
      })
      .andThen((step) => decided(step, at))
      .andThen(() => approve(ctx, t, 'totp', at, {}));
  };
}

export function makeRecover(ctx: TotpContext): TotpApi['recover'] {
  const { sh } = ctx;
  return (input) => {
    const at = sh.now();
    const parsed = objectInput(input).andThen((o) => {
      const code = normalizeRecoveryCode(o.code);
      if (code === undefined) return bad('`code` must be a recovery code such as ABCDE-FGHJK.');
      return targetOf(ctx, o, at).map((t) => ({ t, code }));
    });
    if (parsed.isErr()) return errAsync(parsed.error);
    const { t, code } = parsed.value;
    const hashed = ctx.hashOf(t.subject);
    return ctx
      .transact(hashed, at, (s) =>
        recoveryTransition(
          s,
          (digests) => findRecoveryCode(sh.ring, hashed, code, digests),
          t.issuedAt,
          at,
          ctx.policy,
        ),
      )
      .andThen((step) => decided(step, at))
      .andThen((r) => approve(ctx, t, 'recovery', at, { recoveryCodesLeft: r.remaining }));
  };
}
