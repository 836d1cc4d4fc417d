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
import { authenticatorStep } from './authenticator';
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
}

export interface SendVerificationCodeApp {
  readonly app: Express;
  readonly verifier: Verifier;
}

const PURPOSE = 'lead';
/** A verification that is no longer pending: send a new one instead of again. */
const CLOSED = new Set(['not_found', 'expired', 'max_attempts_reached']);

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
    consent: { ledger: memoryConsentLedger() },
    defaultCountry,
    totp: { issuer: 'Leads', qr: false },
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  // The latest verification per number and who asked for it, so a refused check can still
  // report its status and a send while it is pending resends it. One process only: a real
  // deployment keeps this beside the lead (e.g. a column).
  const latest = new Map<string, { readonly id: string; readonly userId?: number }>();
  const authenticator = authenticatorStep(verifier, now);

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
    known?: Lock,
  ) => {
    const lock = known ?? (await lockOf(id));
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
    const parsed = bindRequest(req.body, req.headers['content-type']);
    if (parsed === 415) {
      const message = `The content type must be one of ${[...JSON_TYPES, FORM_TYPE].join(', ')}.`;
      return refuse(res, undefined, 'sms', verifyError('unsupported_media_type', { message }), '');
    }
    if (typeof parsed === 'string') {
      return refuse(res, undefined, 'sms', verifyError('invalid_request', { message: parsed }), '');
    }
    const r = parsed;
    const method = methodOf(r.VerificationType);
    const code = typeof r.Code === 'string' ? r.Code.trim() : '';

    if (method === 'authenticator') {
      const out = await authenticator.handle(r, code);
      if (!out.ok) return refuse(res, r, method, out.error, '', undefined, out.lock);
      const fields = { number: '', text: out.text, status: out.status };
      res.json({ ...dto(r, method, fields, out.lock), ...out.extra });
      return;
    }
    return code === '' ? sendCode(req, res, r, method) : checkCode(req, res, r, method, code);
  }

  const phoneOf = (r: VerificationRequest) => {
    const phone = normalizePhone(r.PhoneNo, { defaultCountry });
    return {
      number: phone.isOk() ? maskPhone(phone.value.number) : '',
      key: phone.isOk() ? phone.value.number : r.PhoneNo,
    };
  };

  async function checkCode(
    req: Request,
    res: Response,
    r: VerificationRequest,
    method: Method,
    code: string,
  ) {
    const { number, key } = phoneOf(r);
    const context = contextOf(r, req.ip);
    const checked = await verifier.check({ phone: r.PhoneNo, code, purpose: PURPOSE, context });
    const last = latest.get(key);
    if (checked.isErr()) return refuse(res, r, method, checked.error, number, last?.id);
    // The phone is proven by the user who asked for the code: they may enroll an authenticator.
    if (last?.id === checked.value.id && r.UserId !== undefined && last.userId === r.UserId) {
      authenticator.phoneVerified(String(r.UserId));
    }
    const text = 'The phone number is verified.';
    res.json(dto(r, method, { number, text, status: 'approved' }, await lockOf(checked.value.id)));
  }

  async function sendCode(req: Request, res: Response, r: VerificationRequest, method: Method) {
    const { number, key } = phoneOf(r);
    const context = contextOf(r, req.ip);
    const channel = method === 'voice' ? 'voice' : 'sms';
    const consent = consentOf(r);
    const start = () =>
      verifier.start({
        phone: r.PhoneNo,
        channel,
        purpose: PURPOSE,
        context,
        ...(consent ? { consent } : {}),
      });
    const prior = latest.get(key);
    let sent = prior ? await verifier.resend({ id: prior.id, channel, context }) : await start();
    if (sent.isErr() && prior && CLOSED.has(sent.error.code)) sent = await start();
    if (sent.isErr()) return refuse(res, r, method, sent.error, number, prior?.id);
    latest.set(key, { id: sent.value.id, ...(r.UserId !== undefined ? { userId: r.UserId } : {}) });
    const by = method === 'voice' ? 'a call' : 'text message';
    const text = `A verification code was sent by ${by} to ${sent.value.to}.`;
    const fields = { number: sent.value.to, text, status: 'pending' };
    res.json(dto(r, method, fields, await lockOf(sent.value.id)));
  }

  const app = express();
  app.disable('x-powered-by');
  // The documented sample request is ~22 KB; 64 KB leaves room and still bounds the body.
  app.use(express.json({ limit: '64kb', type: JSON_TYPES }));
  app.use(express.text({ limit: '64kb', type: FORM_TYPE }));
  app.post('/api/Lead/SendVerificationCode', (req, res, next) => {
    handle(req, res).catch(next);
  });
  // A malformed or oversized body is the caller's error: answer it in the endpoint's shape.
  app.use((err: unknown, _req: Request, res: Response, next: express.NextFunction) => {
    const status = (err as { status?: unknown }).status;
    if (typeof status !== 'number' || status >= 500) return next(err);
    const e =
      status === 413
        ? verifyError('payload_too_large')
        : verifyError('invalid_request', { message: 'The body is not well-formed.' });
    void refuse(res, undefined, 'sms', e, '');
  });
  return { app, verifier };
}
