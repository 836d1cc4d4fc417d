/**
 * LoginRadius's `PUT /identity/v2/auth/login/2fa/sms` (Verify SMS OTP) rebuilt on phoneproof
 * with Fastify. Step 1, `POST /identity/v2/auth/login`, checks the password and starts a
 * verification whose id is the `SecondFactorAuthenticationToken`. Step 2 sends that token
 * with the `otp`; a PUT without `otp` sends the code again. `smstemplate2fa` names the
 * message template, `isvoiceotp` calls instead of texting, `prevent_webhook` (or the
 * `X-PreventWebhook` header) publishes no event. Success answers the Profile with a phoneproof
 * proof token in place of the access token; failures answer `{ ErrorCode, Message, Description }`.
 * @module
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { memoryStore } from '../../adapters/memory/index';
import {
  consoleSender,
  createVerifier,
  type StartResult,
  type Verifier,
  type VerifierEvent,
} from '../../src/index';
import { createRenderer } from '../../src/messages/index';
import { type ErrorReply, missingParameter, refusal, unauthorizedKey } from './errors';
import { authenticate, type DemoUser, demoUsers, profileOf } from './users';

export interface LoginRadiusOptions {
  readonly apiKey?: string;
  readonly users?: readonly DemoUser[];
  readonly secret?: string;
  readonly now?: () => number;
  readonly write?: (line: string) => void;
  readonly onEvent?: (event: VerifierEvent) => void;
}

export interface LoginRadiusApp {
  readonly app: FastifyInstance;
  readonly verifier: Verifier;
}

type Query = Record<string, string | undefined>;
const PURPOSE = 'login';
const PROOF_TTL_MS = 5 * 60_000;
const yes = (v: unknown) => v === 'true' || v === true;

export function createLoginRadiusApp(options: LoginRadiusOptions = {}): LoginRadiusApp {
  const now = options.now ?? Date.now;
  const apiKey = options.apiKey ?? 'demo-tenant-api-key';
  const users = options.users ?? demoUsers;
  const verifier = createVerifier({
    secret: options.secret ?? 'loginradius-2fa-demo-secret-0123456789abcd',
    store: memoryStore({ now }),
    sender: consoleSender(options.write ? { write: options.write } : {}),
    now,
    appName: 'Tenant',
    proof: { ttlMs: PROOF_TTL_MS },
    messages: createRenderer({
      templates: {
        'SMS-Template': { en: '{code} is your {app} sign-in code. It expires in {expires}.' },
      },
    }),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  // Which user a second-factor token belongs to (a real tenant keeps this in its session store).
  const pending = new Map<string, DemoUser>();

  const fail = (reply: FastifyReply, e: ErrorReply) => {
    if (e.retryAfter !== undefined) reply.header('retry-after', String(e.retryAfter));
    return reply.code(e.status).send(e.body);
  };

  const keyCheck = (q: Query): ErrorReply | undefined => {
    if (!q.apikey) return missingParameter('apikey');
    return q.apikey === apiKey ? undefined : unauthorizedKey;
  };

  const secondFactor = (s: StartResult) => ({
    SecondFactorAuthentication: {
      SecondFactorAuthenticationToken: s.id,
      ExpireIn: new Date(s.expiresAt).toISOString(),
      IsOTPSent: true,
      OTPPhoneNo: s.to,
      OTPStatus: true,
    },
  });

  const silentOf = (req: FastifyRequest, q: Query) =>
    yes(q.prevent_webhook) || yes(req.headers['x-preventwebhook']);

  const app = Fastify({ bodyLimit: 16 * 1024 });

  app.post('/identity/v2/auth/login', async (req, reply) => {
    const q = req.query as Query;
    const bad = keyCheck(q);
    if (bad) return fail(reply, bad);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = authenticate(users, body.username ?? body.email, body.password);
    if (!user) {
      return fail(reply, {
        status: 401,
        body: {
          ErrorCode: 1200,
          Message: 'The username or password is wrong',
          Description: 'The login credentials are not correct.',
        },
      });
    }
    const started = await verifier.start({
      phone: user.PhoneId,
      purpose: PURPOSE,
      channel: yes(q.isvoiceotp) ? 'voice' : 'sms',
      ...(q.smstemplate2fa ? { template: q.smstemplate2fa } : {}),
      silent: silentOf(req, q),
      context: { ip: req.ip, userId: user.Uid },
    });
    if (started.isErr()) return fail(reply, refusal(started.error));
    pending.set(started.value.id, user);
    return secondFactor(started.value);
  });

  app.put('/identity/v2/auth/login/2fa/sms', async (req, reply) => {
    const q = req.query as Query;
    const bad = keyCheck(q);
    if (bad) return fail(reply, bad);
    const token = q.secondfactorauthenticationtoken;
    if (!token) return fail(reply, missingParameter('secondfactorauthenticationtoken'));
    const silent = silentOf(req, q);
    const user = pending.get(token);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const otp = body.otp;

    if (otp === undefined || otp === '') {
      // No code yet: send it (again) on the channel and template asked for.
      const sent = await verifier.resend({
        id: token,
        channel: yes(q.isvoiceotp) ? 'voice' : 'sms',
        ...(q.smstemplate2fa ? { template: q.smstemplate2fa } : {}),
        silent,
        context: { ip: req.ip, ...(user ? { userId: user.Uid } : {}) },
      });
      return sent.isErr() ? fail(reply, refusal(sent.error)) : secondFactor(sent.value);
    }
    if (typeof otp !== 'string') return fail(reply, missingParameter('otp'));

    const checked = await verifier.check({ id: token, code: otp, silent });
    if (checked.isErr()) return fail(reply, refusal(checked.error));
    pending.delete(token);
    if (!user || checked.value.proof === undefined) {
      return fail(reply, refusal({ code: 'not_found', message: 'Unknown second factor token.' }));
    }
    return {
      Profile: profileOf(user, q.fields),
      access_token: checked.value.proof,
      refresh_token: null,
      expires_in: new Date(checked.value.verifiedAt + PROOF_TTL_MS).toISOString(),
    };
  });

  // Malformed JSON and the like: the caller's error, in the same error shape.
  app.setErrorHandler((error: { statusCode?: number; message?: string }, _req, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      return reply.code(500).send({
        ErrorCode: 7909,
        Message: 'Operation failed due to an internal error.',
        Description: 'An unknown internal error occurred.',
      });
    }
    return fail(reply, {
      status,
      body: {
        ErrorCode: 908,
        Message: 'A parameter is not formatted correctly',
        Description: error.message ?? 'The request is not valid.',
      },
    });
  });

  return { app, verifier };
}
