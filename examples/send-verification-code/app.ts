/**
 * `POST api/Lead/SendVerificationCode` rebuilt on phoneproof with Express: one endpoint that
 * sends a code (no `Code` in the request) or checks one (`Code` given), records the opt-in
 * that comes with the request, and answers `PhoneVerificationDTO` with the number masked and
 * the MFA attempt count and lock date read from the verification's status. A send while a
 * verification of the number is pending sends it again (`resend`: the same growing cooldown
 * as the other examples). Bodies bind as ASP.NET binds them (./bind.ts); national numbers
 * are read in `defaultRegion`. `VerificationType` 3 is the authenticator app, enrollment
 * included (./authenticator.ts).
 * @module
 */
import express, { type Express, type Request, type Response } from 'express';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import {
  consoleSender,
  createVerifier,
  type Verifier,
  type VerifierEvent,
  verifyError,
} from '../../src/index';
import { totp } from '../../src/totp/index';
import { authenticatorStep } from './authenticator';
import { FORM_TYPE, JSON_TYPES } from './bind';
import { type Deps, handle, refuse } from './steps';

export interface SendVerificationCodeOptions {
  /** At least 32 bytes (default: a fixed demo secret; set PHONEPROOF_SECRET in real use). */
  readonly secret?: string;
  /** Clock, epoch ms (tests pass a fake one). */
  readonly now?: () => number;
  /** Where the console sender prints (default `console.log`). */
  readonly write?: (line: string) => void;
  readonly onEvent?: (event: VerifierEvent) => void;
  /** Region (ISO alpha-2) of numbers written without `+` and country code (default `US`). */
  readonly defaultRegion?: string;
  /**
   * Each user's MFA phone on file (UserId → E.164; the reference's
   * `VerifiedUserObj.MFAPhoneNumber`, kept server-side): proving it opens authenticator
   * enrollment. Default: the sample's UserId 3 → +1 213 373 4253.
   */
  readonly mfaPhones?: Readonly<Record<string, string>>;
}

export interface SendVerificationCodeApp {
  readonly app: Express;
  readonly verifier: Verifier;
}

export function createSendVerificationCodeApp(
  options: SendVerificationCodeOptions = {},
): SendVerificationCodeApp {
  const now = options.now ?? Date.now;
  const defaultCountry = options.defaultRegion ?? 'US';
  const verifier = createVerifier({
    secret: options.secret ?? 'send-verification-code-demo-secret-0123456789',
    store: memoryStore({ now }),
    sender: consoleSender(options.write ? { write: options.write } : {}),
    now,
    appName: 'Leads',
    consent: consent({ ledger: memoryConsentLedger() }),
    defaultCountry,
    totp: totp({ issuer: 'Leads', qr: false }),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  const deps: Deps = {
    verifier,
    now,
    defaultCountry,
    latest: new Map(),
    mfaPhones: options.mfaPhones ?? { '3': '+12133734253' },
    authenticator: authenticatorStep(verifier, now),
  };

  const app = express();
  app.disable('x-powered-by');
  // The documented sample request is ~22 KB; 64 KB leaves room and still bounds the body.
  app.use(express.json({ limit: '64kb', type: JSON_TYPES }));
  app.use(express.text({ limit: '64kb', type: FORM_TYPE }));
  app.post('/api/Lead/SendVerificationCode', (req, res, next) => {
    handle(deps, req, res).catch(next);
  });
  // A malformed or oversized body is the caller's error: answer it in the endpoint's shape.
  app.use((err: unknown, _req: Request, res: Response, next: express.NextFunction) => {
    const status = (err as { status?: unknown }).status;
    if (typeof status !== 'number' || status >= 500) return next(err);
    const e =
      status === 413
        ? verifyError('payload_too_large')
        : verifyError('invalid_request', { message: 'The body is not well-formed.' });
    void refuse(deps, res, undefined, 'sms', e, '');
  });
  return { app, verifier };
}
