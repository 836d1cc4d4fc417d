/**
 * `POST api/Lead/SendVerificationCode` rebuilt on phoneproof with Express: one endpoint that
 * sends a code (no `Code` in the request) or checks one (`Code` given), records the opt-in
 * that comes with the request, and answers `PhoneVerificationDTO` with the number masked and
 * the MFA attempt count and lock date read from the verification's status.
 * @module
 */
import express, { type Express, type Request, type Response } from 'express';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import {
  consoleSender,
  createVerifier,
  httpStatus,
  maskPhone,
  normalizePhone,
  type Verifier,
  type VerifierEvent,
  type VerifyError,
  verifyError,
} from '../../src/index';
import {
  consentOf,
  contextOf,
  dto,
  type Lock,
  type Method,
  methodOf,
  noLock,
  parseRequest,
  type VerificationRequest,
} from './dto';

export interface SendVerificationCodeOptions {
  /** At least 32 bytes (default: a fixed demo secret; set PHONEPROOF_SECRET in real use). */
  readonly secret?: string;
  /** Clock, epoch ms (tests pass a fake one). */
  readonly now?: () => number;
  /** Where the console sender prints (default `console.log`). */
  readonly write?: (line: string) => void;
  readonly onEvent?: (event: VerifierEvent) => void;
}

export interface SendVerificationCodeApp {
  readonly app: Express;
  readonly verifier: Verifier;
}

const PURPOSE = 'lead';

export function createSendVerificationCodeApp(
  options: SendVerificationCodeOptions = {},
): SendVerificationCodeApp {
  const now = options.now ?? Date.now;
  const verifier = createVerifier({
    secret: options.secret ?? 'send-verification-code-demo-secret-0123456789',
    store: memoryStore({ now }),
    sender: consoleSender(options.write ? { write: options.write } : {}),
    now,
    appName: 'Leads',
    consent: { ledger: memoryConsentLedger() },
    totp: { issuer: 'Leads' },
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  // The latest verification per number, so a refused check can still report its status.
  // One process only: a real deployment keeps this beside the lead (e.g. a column).
  const latest = new Map<string, string>();

  const lockOf = async (id: string | undefined): Promise<Lock> => {
    if (id === undefined) return noLock;
    const s = await verifier.status({ id });
    return s.isOk()
      ? {
          failedVerifications: s.value.failedVerifications,
          lockedUntil: s.value.lockedUntil,
          attemptsLeft: s.value.attemptsLeft,
        }
      : noLock;
  };

  const refuse = async (
    res: Response,
    r: VerificationRequest | undefined,
    method: Method,
    error: VerifyError,
    number: string,
    id?: string,
  ) => {
    const lock = await lockOf(id);
    const locked =
      error.code === 'locked' && error.retryAfter !== undefined
        ? { ...lock, lockedUntil: lock.lockedUntil ?? now() + error.retryAfter * 1000 }
        : lock;
    if (error.retryAfter !== undefined) res.set('Retry-After', String(error.retryAfter));
    res
      .status(httpStatus(error.code))
      .json(dto(r, method, { number, text: error.message, status: error.code, error }, locked));
  };

  async function handle(req: Request, res: Response): Promise<void> {
    const parsed = parseRequest(req.body);
    if (typeof parsed === 'string') {
      return refuse(res, undefined, 'sms', verifyError('invalid_request', { message: parsed }), '');
    }
    const r = parsed;
    const method = methodOf(r.VerificationType);
    const context = contextOf(r, req.ip);
    const subject = `user-${r.UserId ?? 'none'}`;
    const code = typeof r.Code === 'string' ? r.Code.trim() : '';

    if (method === 'authenticator') {
      const text = 'Enter the code shown by your authenticator app.';
      if (code === '') {
        res.json(dto(r, method, { number: '', text, status: 'pending' }, noLock));
        return;
      }
      const verified = await verifier.totp.verify({ subject, token: code, purpose: PURPOSE });
      const st = await verifier.totp.status({ subject });
      const lock: Lock = st.isOk() ? { ...st.value, attemptsLeft: null } : noLock;
      if (verified.isErr()) return refuse(res, r, method, verified.error, '');
      res.json(
        dto(r, method, { number: '', text: 'The code is correct.', status: 'approved' }, lock),
      );
      return;
    }

    const phone = normalizePhone(r.PhoneNo);
    const number = phone.isOk() ? maskPhone(phone.value.number) : '';
    const key = phone.isOk() ? phone.value.number : r.PhoneNo;

    if (code !== '') {
      const checked = await verifier.check({ phone: r.PhoneNo, code, purpose: PURPOSE, context });
      if (checked.isErr()) return refuse(res, r, method, checked.error, number, latest.get(key));
      const text = 'The phone number is verified.';
      res.json(
        dto(r, method, { number, text, status: 'approved' }, await lockOf(checked.value.id)),
      );
      return;
    }

    const consent = consentOf(r);
    const started = await verifier.start({
      phone: r.PhoneNo,
      channel: method,
      purpose: PURPOSE,
      context,
      ...(consent ? { consent } : {}),
    });
    if (started.isErr()) return refuse(res, r, method, started.error, number, latest.get(key));
    latest.set(key, started.value.id);
    const by = method === 'voice' ? 'a call' : 'text message';
    const text = `A verification code was sent by ${by} to ${started.value.to}.`;
    res.json(
      dto(
        r,
        method,
        { number: started.value.to, text, status: 'pending' },
        await lockOf(started.value.id),
      ),
    );
  }

  const app = express();
  app.disable('x-powered-by');
  // The documented sample request is ~22 KB; 64 KB leaves room and still bounds the body.
  app.use(express.json({ limit: '64kb', type: ['application/json', 'text/json'] }));
  app.post('/api/Lead/SendVerificationCode', (req, res, next) => {
    handle(req, res).catch(next);
  });
  // A malformed or oversized body is the caller's error: answer it in the endpoint's shape.
  app.use((err: unknown, _req: Request, res: Response, next: express.NextFunction) => {
    const status = (err as { status?: unknown }).status;
    if (typeof status !== 'number' || status >= 500) return next(err);
    const code = status === 413 ? 'payload_too_large' : 'invalid_request';
    void refuse(res, undefined, 'sms', verifyError(code), '');
  });
  return { app, verifier };
}
