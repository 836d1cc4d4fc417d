/**
 * `verifier.totp`: authenticator apps as a second factor. Enrollment (secret, URI, QR),
 * confirmation by a first code (which yields recovery codes), verification with tolerance,
 * replay guard and the subject's failure budget, recovery codes, second-factor challenges,
 * disable, status. The secret is stored only sealed (AES-256-GCM). @internal
 * @module
 */
import { errAsync, ok, okAsync, type Result } from 'neverthrow';
import { toBase64Url } from '../crypto';
import { type VerifyError, verifyError } from '../errors';
import { refusalError } from '../feature/errors';
import type { Feature, FeatureIO as Shell } from '../feature/feature';
import { bad, objectInput, purposeOf } from '../feature/input';
import type { Totp } from '../feature/optional';
import type { Proofs } from '../feature/proofs';
import { subjectOf } from '../feature/subject';
import { seal } from '../secrets';
import { sealChallenge } from './challenge';
import { normalizeToken, resealed, type TotpContext, tokenMatcher, totpContext } from './context';
import { settleTotp } from './guard';
import { fromBase32, otpauthUri, toBase32 } from './otp';
import { renderQr } from './qr';
import { generateRecoveryCodes, recoveryDigests } from './recovery';
import {
  codeTransition,
  disableTransition,
  enrollTransition,
  invalidateTotpTransition,
  setRecoveryTransition,
} from './transitions';
import type { TotpApi, TotpOptions } from './types';
import { makeRecover, makeVerify } from './verify';

const LABEL = /^[^:]{1,128}$/;

interface EnrollRequest {
  readonly subject: string;
  readonly accountName: string;
  readonly issuer: string;
  readonly bytes: Uint8Array;
}

function enrollRequest(
  ctx: TotpContext,
  o: Record<string, unknown>,
): Result<EnrollRequest, VerifyError> {
  return subjectOf(o.subject).andThen((subject) => {
    const accountName = o.accountName ?? subject;
    if (typeof accountName !== 'string' || !LABEL.test(accountName)) {
      return bad('`accountName` must be 1-128 characters without ":".');
    }
    const issuer = o.issuer ?? ctx.config.issuer;
    if (typeof issuer !== 'string' || !LABEL.test(issuer)) {
      return bad('`issuer` must be 1-128 characters without ":".');
    }
    if (o.secret === undefined) {
      return ok({ subject, accountName, issuer, bytes: ctx.sh.random(ctx.config.secretBytes) });
    }
    const bytes = typeof o.secret === 'string' ? fromBase32(o.secret) : undefined;
    if (!bytes || bytes.length < 16 || bytes.length > 64) {
      return bad('`secret` must be a base32 secret of 16 to 64 bytes.');
    }
    return ok({ subject, accountName, issuer, bytes });
  });
}

function makeEnroll(ctx: TotpContext): TotpApi['enroll'] {
  const { sh, config } = ctx;
  return (input) => {
    const at = sh.now();
    const parsed = objectInput(input).andThen((o) => enrollRequest(ctx, o));
    if (parsed.isErr()) return errAsync(parsed.error);
    const { subject, accountName, issuer, bytes } = parsed.value;
    const params = { algorithm: config.algorithm, digits: config.digits, period: config.period };
    const secret = toBase32(bytes);
    const uri = otpauthUri(secret, issuer, accountName, params);
    const expiresAt = at + config.enrollmentTtlMs;
    const sealed = seal(sh.ring, 'totp-secret', secret, sh.random(12));
    // The QR code is rendered first: if it fails, nothing was written.
    return renderQr(config.qr, uri).andThen((qr) =>
      ctx
        .transact(ctx.hashOf(subject), at, (s) =>
          enrollTransition(s, { sealed, ...params, expiresAt }, at, ctx.policy),
        )
        .andThen((step) => step.decision.mapErr((r) => refusalError(r, at)))
        .map(() => ({ secret, uri, ...(qr !== undefined ? { qr } : {}), ...params, expiresAt })),
    );
  };
}

function makeConfirm(ctx: TotpContext): TotpApi['confirm'] {
  const { sh, config } = ctx;
  return (input) => {
    const at = sh.now();
    const parsed = objectInput(input).andThen((o) =>
      subjectOf(o.subject).andThen((subject) => {
        const token = normalizeToken(o.token);
        if (token === undefined)
          return bad('`token` must be the 6-8 digit code from the authenticator app.');
        return ok({ subject, token });
      }),
    );
    if (parsed.isErr()) return errAsync(parsed.error);
    const { subject, token } = parsed.value;
    const hashed = ctx.hashOf(subject);
    const recoveryCodes = generateRecoveryCodes(sh.random, config.recoveryCodes);
    const recovery = recoveryDigests(sh.ring, hashed, recoveryCodes);
    const iv = sh.random(12);
    const matches = tokenMatcher(sh.ring, token);
    return ctx
      .transact(hashed, at, (s) => {
        const step = codeTransition(
          s,
          { mode: 'confirm', matches, tolerance: config.tolerance, recovery },
          at,
          ctx.policy,
        );
        return step.decision.isOk() ? { ...step, state: resealed(sh.ring, step.state, iv) } : step;
      })
      .andThen((step) => step.decision.mapErr((r) => refusalError(r, at)))
      .map(() => ({ status: 'active' as const, subject, confirmedAt: at, recoveryCodes }));
  };
}

function makeChallenge(ctx: TotpContext): TotpApi['challenge'] {
  const { sh, config } = ctx;
  return (input) => {
    const at = sh.now();
    const parsed = objectInput(input).andThen((o) =>
      subjectOf(o.subject).andThen((subject) =>
        purposeOf(o.purpose).map((purpose) => ({ subject, purpose })),
      ),
    );
    if (parsed.isErr()) return errAsync(parsed.error);
    const { subject, purpose } = parsed.value;
    const nonce = toBase64Url(sh.random(16));
    const iv = sh.random(12);
    return ctx.read(ctx.hashOf(subject)).andThen((state) => {
      const s = settleTotp(state, at, ctx.policy);
      if (s.enrollment?.status !== 'active') return errAsync(verifyError('totp_not_enrolled'));
      const expiresAt = at + config.challengeTtlMs;
      const id = sealChallenge(sh.ring, { subject, purpose, nonce, issuedAt: at, expiresAt }, iv);
      return okAsync({ id, purpose, expiresAt });
    });
  };
}

function subjectCall(input: unknown): Result<string, VerifyError> {
  return objectInput(input).andThen((o) => subjectOf(o.subject));
}

function makeRegenerate(ctx: TotpContext): TotpApi['regenerateRecoveryCodes'] {
  const { sh } = ctx;
  return (input) => {
    const at = sh.now();
    const subject = subjectCall(input);
    if (subject.isErr()) return errAsync(subject.error);
    const hashed = ctx.hashOf(subject.value);
    const codes = generateRecoveryCodes(sh.random, ctx.config.recoveryCodes);
    const digests = recoveryDigests(sh.ring, hashed, codes);
    return ctx
      .transact(hashed, at, (s) => setRecoveryTransition(s, digests, at, ctx.policy))
      .andThen((step) => step.decision.mapErr((r) => refusalError(r, at)))
      .map(() => codes);
  };
}

function makeDisable(ctx: TotpContext): TotpApi['disable'] {
  return (input) => {
    const at = ctx.sh.now();
    const subject = subjectCall(input);
    if (subject.isErr()) return errAsync(subject.error);
    return ctx
      .transact(ctx.hashOf(subject.value), at, (s) => disableTransition(s, at, ctx.policy))
      .andThen((step) => step.decision.mapErr((r) => refusalError(r, at)))
      .map((disabled) => ({ disabled }));
  };
}

function makeStatus(ctx: TotpContext): TotpApi['status'] {
  return (input) => {
    const at = ctx.sh.now();
    const subject = subjectCall(input);
    if (subject.isErr()) return errAsync(subject.error);
    return ctx.read(ctx.hashOf(subject.value)).map((state) => {
      const s = settleTotp(state, at, ctx.policy);
      const e = s.enrollment;
      return {
        status: e ? e.status : 'none',
        confirmedAt: e?.status === 'active' ? e.confirmedAt : null,
        recoveryCodesLeft: e?.recovery.length ?? 0,
        failedVerifications: s.failures,
        lockedUntil: s.lockedUntil > at ? s.lockedUntil : null,
      };
    });
  };
}

/** The authenticator feature: no hooks; its API is `verifier.totp` (and `invalidate`'s part). */
export function totpFeature(
  options: TotpOptions | undefined,
  io: Shell,
  proofs: Proofs,
): Feature<Totp> {
  return { name: 'totp', hooks: {}, api: makeTotp(io, options, proofs) };
}

export function makeTotp(sh: Shell, options: TotpOptions | undefined, proofs: Proofs): Totp {
  const ctx = totpContext(sh, options, proofs);
  return {
    api: {
      enroll: makeEnroll(ctx),
      confirm: makeConfirm(ctx),
      verify: makeVerify(ctx),
      recover: makeRecover(ctx),
      challenge: makeChallenge(ctx),
      regenerateRecoveryCodes: makeRegenerate(ctx),
      disable: makeDisable(ctx),
      status: makeStatus(ctx),
    },
    invalidate: (subject, at) =>
      ctx
        .transact(ctx.hashOf(subject), at, (s) =>
          invalidateTotpTransition(s, ctx.config.tolerance, at, ctx.policy),
        )
        .andThen((step) => step.decision.mapErr((r) => refusalError(r, at))),
  };
}
