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
  type Verifier,
  type VerifierEvent,
  verifyError,
} from '../../src/index';
import { type Account, demoAccounts } from './accounts';
import { bodyParsers } from './formats';
import { type Deps, refuse, sendAgain, verifyCode } from './steps';

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

  const deps: Deps = { verifier, now, accounts };

  const app = express();
  app.disable('x-powered-by');
  app.use(...bodyParsers);
  app.post('/api/Account/UpdateSendCodeAgain', (req, res, next) => {
    sendAgain(deps, req, res).catch(next);
  });
  app.post('/api/Account/VerifyCode', (req, res, next) => {
    verifyCode(deps, req, res).catch(next);
  });
  app.use((err: unknown, req: Request, res: Response, next: express.NextFunction) => {
    const status = (err as { status?: unknown }).status;
    if (typeof status !== 'number' || status >= 500) return next(err);
    const e =
      status === 413
        ? verifyError('payload_too_large')
        : verifyError('invalid_request', { message: 'The body is not well-formed.' });
    void refuse(deps, req, res, undefined, e);
  });
  return { app, verifier, accounts };
}
