/**
 * `POST api/Account/UpdateSendCodeAgain` rebuilt on phoneproof with Express: the request is an
 * `AccountModel`; the server sends the account's phone a code again (`resend`, or a new
 * verification when none is pending) and answers the lockout view: `AccessFailedCount`,
 * `LockoutEnabled`, `LockoutEndDateUtc`, `PhoneNumberConfirmed`, `TwoFactorEnabled`, read from
 * the account and the verification's status. `POST api/Account/VerifyCode` checks the
 * `SecurityCode`: each wrong code counts in the account's `AccessFailedCount`, a right one
 * resets it, and the fifth in a row locks the account (`LockoutEndDateUtc`), as ASP.NET
 * Identity's UserManager does. Refusals answer ASP.NET's `{ Message }` beside the same view.
 * Bodies are JSON, XML or forms; answers JSON or XML (see ./formats.ts).
 * @module
 */
import express, { type Express, type Request, type Response } from 'express';
import { memoryStore } from '../../adapters/memory/index';
import {
  consoleSender,
  createVerifier,
  httpStatus,
  maskPhone,
  type StatusResult,
  type Verifier,
  type VerifierEvent,
  type VerifyError,
  verifyError,
} from '../../src/index';
import {
  type Account,
  accessFailed,
  accessSucceeded,
  accountLockedUntil,
  demoAccounts,
  lockoutView,
} from './accounts';
import {
  ACCEPTED_TYPES,
  type AccountModelInput,
  answer,
  bodyParsers,
  readAccountModel,
} from './formats';

export interface SendCodeAgainOptions {
  readonly accounts?: Account[];
  readonly secret?: string;
  readonly now?: () => number;
  readonly write?: (line: string) => void;
  readonly onEvent?: (event: VerifierEvent) => void;
}

export interface SendCodeAgainApp {
  readonly app: Express;
  readonly verifier: Verifier;
  readonly accounts: Account[];
}

const PURPOSE = 'confirm-phone';
/** A verification that is no longer pending: send a new one instead of again. */
const CLOSED = new Set(['not_found', 'expired', 'max_attempts_reached']);

export function createSendCodeAgainApp(options: SendCodeAgainOptions = {}): SendCodeAgainApp {
  const now = options.now ?? Date.now;
  const accounts = options.accounts ?? demoAccounts();
  const verifier = createVerifier({
    secret: options.secret ?? 'send-code-again-demo-secret-0123456789abcdef',
    store: memoryStore({ now }),
    sender: consoleSender(options.write ? { write: options.write } : {}),
    now,
    appName: 'ReqStudio',
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });

  const statusOf = async (a: Account): Promise<StatusResult | undefined> => {
    if (!a.verificationId) return undefined;
    const s = await verifier.status({ id: a.verificationId });
    return s.isOk() ? s.value : undefined;
  };

  const view = async (a: Account, lockedUntil?: number) =>
    lockoutView(a, maskPhone(a.PhoneNumber), now(), await statusOf(a), lockedUntil);

  const refuse = async (req: Request, res: Response, a: Account | undefined, e: VerifyError) => {
    if (e.retryAfter !== undefined) res.set('Retry-After', String(e.retryAfter));
    const until = e.code === 'locked' && e.retryAfter ? now() + e.retryAfter * 1000 : undefined;
    answer(req, res, httpStatus(e.code), {
      Message: e.message,
      ...(a ? await view(a, until) : {}),
    });
  };

  /** The account's own lockout, as the refusal ASP.NET Identity's LockedOut stands for. */
  const lockedOut = (a: Account): VerifyError | undefined => {
    const until = accountLockedUntil(a, now());
    if (until === undefined) return undefined;
    return verifyError('locked', { retryAfter: Math.ceil((until - now()) / 1000) });
  };

  /** The request's model and the account its ID names; the rest of the model is not trusted. */
  const accountOf = (req: Request): { a: Account; model: AccountModelInput } | VerifyError => {
    const model = readAccountModel(req);
    if (model === 415) {
      const message = `The content type must be one of ${ACCEPTED_TYPES.join(', ')}.`;
      return verifyError('unsupported_media_type', { message });
    }
    if (typeof model === 'string') return verifyError('invalid_request', { message: model });
    const id = model.ID;
    if (typeof id !== 'string')
      return verifyError('invalid_request', { message: 'ID is required.' });
    const a = accounts.find((x) => x.ID.toLowerCase() === id.trim().toLowerCase());
    return a ? { a, model } : verifyError('not_found', { message: 'No such account.' });
  };

  async function sendAgain(req: Request, res: Response) {
    const found = accountOf(req);
    if ('code' in found) return refuse(req, res, undefined, found);
    const { a } = found;
    const out = lockedOut(a);
    if (out) return refuse(req, res, a, out);
    const context = { ip: req.ip ?? '', userId: a.ID };
    let sent = a.verificationId
      ? await verifier.resend({ id: a.verificationId, context })
      : await verifier.start({ phone: a.PhoneNumber, purpose: PURPOSE, context });
    if (sent.isErr() && CLOSED.has(sent.error.code)) {
      sent = await verifier.start({ phone: a.PhoneNumber, purpose: PURPOSE, context });
    }
    if (sent.isErr()) return refuse(req, res, a, sent.error);
    a.verificationId = sent.value.id;
    answer(req, res, 200, await view(a));
  }

  async function verifyCode(req: Request, res: Response) {
    const found = accountOf(req);
    if ('code' in found) return refuse(req, res, undefined, found);
    const { a, model } = found;
    const out = lockedOut(a);
    if (out) return refuse(req, res, a, out);
    if (!a.verificationId) return refuse(req, res, a, verifyError('not_found'));
    const code = model.SecurityCode;
    const checked = await verifier.check({ id: a.verificationId, code: String(code ?? '') });
    if (checked.isErr()) {
      // Each code phoneproof evaluated and found wrong is one failed access.
      if (checked.error.code === 'code_mismatch' && accessFailed(a, now())) {
        return refuse(req, res, a, lockedOut(a)!);
      }
      return refuse(req, res, a, checked.error);
    }
    accessSucceeded(a);
    a.PhoneNumberConfirmed = true;
    answer(req, res, 200, await view(a));
  }

  const app = express();
  app.disable('x-powered-by');
  app.use(...bodyParsers);
  app.post('/api/Account/UpdateSendCodeAgain', (req, res, next) => {
    sendAgain(req, res).catch(next);
  });
  app.post('/api/Account/VerifyCode', (req, res, next) => {
    verifyCode(req, res).catch(next);
  });
  app.use((err: unknown, req: Request, res: Response, next: express.NextFunction) => {
    const status = (err as { status?: unknown }).status;
    if (typeof status !== 'number' || status >= 500) return next(err);
    const e =
      status === 413
        ? verifyError('payload_too_large')
        : verifyError('invalid_request', { message: 'The body is not well-formed.' });
    void refuse(req, res, undefined, e);
  });
  return { app, verifier, accounts };
}
