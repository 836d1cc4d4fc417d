/**
 * `POST api/Account/UpdateSendCodeAgain` rebuilt on phoneproof with Express: the request is an
 * `AccountModel`; the server sends the account's phone a code again (`resend`, or a new
 * verification when none is pending) and answers the lockout view: `AccessFailedCount`,
 * `LockoutEnabled`, `LockoutEndDateUtc`, `PhoneNumberConfirmed`, `TwoFactorEnabled`, read from
 * the verification's status. `POST api/Account/VerifyCode` checks the `SecurityCode`. Refusals
 * answer ASP.NET's `{ Message }` beside the same view.
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
import { type Account, demoAccounts, lockoutView } from './accounts';

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
    lockoutView(a, maskPhone(a.PhoneNumber), await statusOf(a), lockedUntil);

  const refuse = async (res: Response, a: Account | undefined, e: VerifyError) => {
    if (e.retryAfter !== undefined) res.set('Retry-After', String(e.retryAfter));
    const until = e.code === 'locked' && e.retryAfter ? now() + e.retryAfter * 1000 : undefined;
    res.status(httpStatus(e.code)).json({ Message: e.message, ...(a ? await view(a, until) : {}) });
  };

  /** The account named by the model's ID; the rest of the model is not trusted. */
  const accountOf = (body: unknown): Account | VerifyError => {
    const id = (body as { ID?: unknown } | null)?.ID;
    if (typeof id !== 'string')
      return verifyError('invalid_request', { message: 'ID is required.' });
    return (
      accounts.find((a) => a.ID === id) ?? verifyError('not_found', { message: 'No such account.' })
    );
  };

  async function sendAgain(req: Request, res: Response) {
    const a = accountOf(req.body);
    if (!('ID' in a)) return refuse(res, undefined, a);
    const context = { ip: req.ip ?? '', userId: a.ID };
    let sent = a.verificationId
      ? await verifier.resend({ id: a.verificationId, context })
      : await verifier.start({ phone: a.PhoneNumber, purpose: PURPOSE, context });
    if (sent.isErr() && CLOSED.has(sent.error.code)) {
      sent = await verifier.start({ phone: a.PhoneNumber, purpose: PURPOSE, context });
    }
    if (sent.isErr()) return refuse(res, a, sent.error);
    a.verificationId = sent.value.id;
    res.json(await view(a));
  }

  async function verifyCode(req: Request, res: Response) {
    const a = accountOf(req.body);
    if (!('ID' in a)) return refuse(res, undefined, a);
    const code = (req.body as { SecurityCode?: unknown }).SecurityCode;
    if (!a.verificationId) return refuse(res, a, verifyError('not_found'));
    const checked = await verifier.check({ id: a.verificationId, code: String(code ?? '') });
    if (checked.isErr()) return refuse(res, a, checked.error);
    a.PhoneNumberConfirmed = true;
    res.json(await view(a));
  }

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '16kb', type: ['application/json', 'text/json'] }));
  app.post('/api/Account/UpdateSendCodeAgain', (req, res, next) => {
    sendAgain(req, res).catch(next);
  });
  app.post('/api/Account/VerifyCode', (req, res, next) => {
    verifyCode(req, res).catch(next);
  });
  app.use((err: unknown, _req: Request, res: Response, next: express.NextFunction) => {
    const status = (err as { status?: unknown }).status;
    if (typeof status !== 'number' || status >= 500) return next(err);
    void refuse(
      res,
      undefined,
      verifyError(status === 413 ? 'payload_too_large' : 'invalid_request'),
    );
  });
  return { app, verifier, accounts };
}
