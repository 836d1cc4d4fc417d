/**
 * The endpoint's steps over its dependencies (verifier, clock, region, the pending
 * verification per number, the authenticator step): refuse in the response shape, send (or
 * send again), check, and the request dispatch between them.
 * @module
 */
import type { Request, Response } from 'express';
import {
  httpStatus,
  maskPhone,
  normalizePhone,
  type Verifier,
  type VerifyError,
  verifyError,
} from '../../src/index';
import type { AuthenticatorStep } from './authenticator';
import { bindRequest, FORM_TYPE, JSON_TYPES } from './bind';
import {
  consentOf,
  contextOf,
  dto,
  type Lock,
  type Method,
  methodOf,
  noLock,
  type VerificationRequest,
} from './dto';

export const PURPOSE = 'lead';
/** A verification that is no longer pending: send a new one instead of again. */
const CLOSED = new Set(['not_found', 'expired', 'max_attempts_reached']);

export interface Deps {
  readonly verifier: Verifier;
  readonly now: () => number;
  readonly defaultCountry: string;
  /**
   * The latest verification per number, so a refused check can still report its status and
   * a send while it is pending resends it. One process only: a real deployment keeps this
   * beside the lead (e.g. a column).
   */
  readonly latest: Map<string, string>;
  /** Each user's MFA phone on file, E.164 (the reference's `VerifiedUserObj.MFAPhoneNumber`). */
  readonly mfaPhones: Readonly<Record<string, string>>;
  readonly authenticator: AuthenticatorStep;
}

async function lockOf(d: Deps, id: string | undefined): Promise<Lock> {
  if (id === undefined) return noLock;
  const s = await d.verifier.status({ id });
  return s.isOk()
    ? {
        failedVerifications: s.value.failedVerifications,
        lockedUntil: s.value.lockedUntil,
        attemptsLeft: s.value.attemptsLeft,
      }
    : noLock;
}

/** Answers a refusal in the PhoneVerificationDTO shape, with the lock it knows of. */
export async function refuse(
  d: Deps,
  res: Response,
  r: VerificationRequest | undefined,
  method: Method,
  error: VerifyError,
  number: string,
  lockFrom: { readonly id?: string | undefined; readonly known?: Lock } = {},
): Promise<void> {
  const lock = lockFrom.known ?? (await lockOf(d, lockFrom.id));
  const locked =
    error.code === 'locked' && error.retryAfter !== undefined
      ? { ...lock, lockedUntil: lock.lockedUntil ?? d.now() + error.retryAfter * 1000 }
      : lock;
  if (error.retryAfter !== undefined) res.set('Retry-After', String(error.retryAfter));
  res
    .status(httpStatus(error.code))
    .json(dto(r, method, { number, text: error.message, status: error.code, error }, locked));
}

function phoneOf(d: Deps, r: VerificationRequest) {
  const phone = normalizePhone(r.PhoneNo, { defaultCountry: d.defaultCountry });
  return {
    number: phone.isOk() ? maskPhone(phone.value.number) : '',
    key: phone.isOk() ? phone.value.number : r.PhoneNo,
  };
}

async function checkCode(
  d: Deps,
  req: Request,
  res: Response,
  r: VerificationRequest,
  code: string,
) {
  const method = methodOf(r.VerificationType);
  const { number, key } = phoneOf(d, r);
  const context = contextOf(r, req.ip);
  const checked = await d.verifier.check({ phone: r.PhoneNo, code, purpose: PURPOSE, context });
  if (checked.isErr()) {
    return refuse(d, res, r, method, checked.error, number, { id: d.latest.get(key) });
  }
  // The user proved their own MFA phone on file: they may enroll an authenticator.
  const user = r.UserId === undefined ? '' : String(r.UserId);
  if (Object.hasOwn(d.mfaPhones, user) && d.mfaPhones[user] === checked.value.phone) {
    d.authenticator.phoneVerified(user);
  }
  const text = 'The phone number is verified.';
  res.json(dto(r, method, { number, text, status: 'approved' }, await lockOf(d, checked.value.id)));
}

async function sendCode(d: Deps, req: Request, res: Response, r: VerificationRequest) {
  const method = methodOf(r.VerificationType);
  const { number, key } = phoneOf(d, r);
  const context = contextOf(r, req.ip);
  const channel = method === 'voice' ? 'voice' : 'sms';
  const consent = consentOf(r);
  const start = () =>
    d.verifier.start({
      phone: r.PhoneNo,
      channel,
      purpose: PURPOSE,
      context,
      ...(consent ? { consent } : {}),
    });
  const prior = d.latest.get(key);
  let sent = prior ? await d.verifier.resend({ id: prior, channel, context }) : await start();
  if (sent.isErr() && prior && CLOSED.has(sent.error.code)) sent = await start();
  if (sent.isErr()) return refuse(d, res, r, method, sent.error, number, { id: prior });
  d.latest.set(key, sent.value.id);
  const by = method === 'voice' ? 'a call' : 'text message';
  const text = `A verification code was sent by ${by} to ${sent.value.to}.`;
  const fields = { number: sent.value.to, text, status: 'pending' };
  res.json(dto(r, method, fields, await lockOf(d, sent.value.id)));
}

/** Binds the request, then sends, checks, or hands it to the authenticator step. */
export async function handle(d: Deps, req: Request, res: Response): Promise<void> {
  const parsed = bindRequest(req.body, req.headers['content-type']);
  if (parsed === 415) {
    const message = `The content type must be one of ${[...JSON_TYPES, FORM_TYPE].join(', ')}.`;
    return refuse(d, res, undefined, 'sms', verifyError('unsupported_media_type', { message }), '');
  }
  if (typeof parsed === 'string') {
    return refuse(
      d,
      res,
      undefined,
      'sms',
      verifyError('invalid_request', { message: parsed }),
      '',
    );
  }
  const r = parsed;
  const method = methodOf(r.VerificationType);
  const code = typeof r.Code === 'string' ? r.Code.trim() : '';
  if (method === 'authenticator') {
    const out = await d.authenticator.handle(r, code);
    if (!out.ok) return refuse(d, res, r, method, out.error, '', { known: out.lock });
    const fields = { number: '', text: out.text, status: out.status };
    res.json({ ...dto(r, method, fields, out.lock), ...out.extra });
    return;
  }
  return code === '' ? sendCode(d, req, res, r) : checkCode(d, req, res, r, code);
}
