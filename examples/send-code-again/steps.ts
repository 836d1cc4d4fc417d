/**
 * The example's two routes over their dependencies: send the account's phone a code (again),
 * and check a `SecurityCode`, keeping the account's ASP.NET Identity lockout
 * (`AccessFailedCount`, `LockoutEndDateUtc`) from phoneproof's results. Refusals answer
 * `{ Message }` beside the lockout view.
 * @module
 */
import type { Request, Response } from 'express';
import {
  httpStatus,
  maskPhone,
  type StatusResult,
  type Verifier,
  type VerifyError,
  verifyError,
} from '../../src/index';
import {
  type Account,
  accessFailed,
  accessSucceeded,
  accountLockedUntil,
  lockoutView,
} from './accounts';
import { ACCEPTED_TYPES, type AccountModelInput, answer, readAccountModel } from './formats';

const PURPOSE = 'confirm-phone';
/** A verification that is no longer pending: send a new one instead of again. */
const CLOSED = new Set(['not_found', 'expired', 'max_attempts_reached']);

export interface Deps {
  readonly verifier: Verifier;
  readonly now: () => number;
  readonly accounts: readonly Account[];
}

async function view(d: Deps, a: Account, lockedUntil?: number) {
  let status: StatusResult | undefined;
  if (a.verificationId) {
    const s = await d.verifier.status({ id: a.verificationId });
    status = s.isOk() ? s.value : undefined;
  }
  return lockoutView(a, maskPhone(a.PhoneNumber), d.now(), status, lockedUntil);
}

export async function refuse(
  d: Deps,
  req: Request,
  res: Response,
  a: Account | undefined,
  e: VerifyError,
): Promise<void> {
  if (e.retryAfter !== undefined) res.set('Retry-After', String(e.retryAfter));
  const until = e.code === 'locked' && e.retryAfter ? d.now() + e.retryAfter * 1000 : undefined;
  answer(req, res, httpStatus(e.code), {
    Message: e.message,
    ...(a ? await view(d, a, until) : {}),
  });
}

/** The account's own lockout, as the refusal ASP.NET Identity's LockedOut stands for. */
function lockedOut(d: Deps, a: Account): VerifyError | undefined {
  const until = accountLockedUntil(a, d.now());
  if (until === undefined) return undefined;
  return verifyError('locked', { retryAfter: Math.ceil((until - d.now()) / 1000) });
}

/** The request's model and the account its ID names; the rest of the model is not trusted. */
function accountOf(d: Deps, req: Request): { a: Account; model: AccountModelInput } | VerifyError {
  const model = readAccountModel(req);
  if (model === 415) {
    const message = `The content type must be one of ${ACCEPTED_TYPES.join(', ')}.`;
    return verifyError('unsupported_media_type', { message });
  }
  if (typeof model === 'string') return verifyError('invalid_request', { message: model });
  const id = model.ID;
  if (typeof id !== 'string') return verifyError('invalid_request', { message: 'ID is required.' });
  const a = d.accounts.find((x) => x.ID.toLowerCase() === id.trim().toLowerCase());
  return a ? { a, model } : verifyError('not_found', { message: 'No such account.' });
}

/** `POST api/Account/UpdateSendCodeAgain`. */
export async function sendAgain(d: Deps, req: Request, res: Response): Promise<void> {
  const found = accountOf(d, req);
  if ('code' in found) return refuse(d, req, res, undefined, found);
  const { a } = found;
  const out = lockedOut(d, a);
  if (out) return refuse(d, req, res, a, out);
  const context = { ip: req.ip ?? '', userId: a.ID };
  const start = () => d.verifier.start({ phone: a.PhoneNumber, purpose: PURPOSE, context });
  let sent = a.verificationId
    ? await d.verifier.resend({ id: a.verificationId, context })
    : await start();
  if (sent.isErr() && CLOSED.has(sent.error.code)) sent = await start();
  if (sent.isErr()) return refuse(d, req, res, a, sent.error);
  a.verificationId = sent.value.id;
  answer(req, res, 200, await view(d, a));
}

/** `POST api/Account/VerifyCode`: checks the model's `SecurityCode`. */
export async function verifyCode(d: Deps, req: Request, res: Response): Promise<void> {
  const found = accountOf(d, req);
  if ('code' in found) return refuse(d, req, res, undefined, found);
  const { a, model } = found;
  const out = lockedOut(d, a);
  if (out) return refuse(d, req, res, a, out);
  if (!a.verificationId) return refuse(d, req, res, a, verifyError('not_found'));
  const code = String(model.SecurityCode ?? '');
  const checked = await d.verifier.check({ id: a.verificationId, code });
  if (checked.isErr()) {
    // Each code phoneproof evaluated and found wrong is one failed access.
    if (checked.error.code === 'code_mismatch' && accessFailed(a, d.now())) {
      return refuse(d, req, res, a, lockedOut(d, a)!);
    }
    return refuse(d, req, res, a, checked.error);
  }
  accessSucceeded(a);
  a.PhoneNumberConfirmed = true;
  answer(req, res, 200, await view(d, a));
}
