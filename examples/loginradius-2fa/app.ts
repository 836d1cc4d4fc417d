/**
 * LoginRadius's `PUT /identity/v2/auth/login/2fa/sms` (Verify SMS OTP) rebuilt on phoneproof
 * with Fastify. Step 1, `POST /identity/v2/auth/login`, checks the password and starts a
 * verification whose id is the `SecondFactorAuthenticationToken`. Step 2 sends that token
 * with the `otp`; a PUT without `otp` sends the code again. `smstemplate2fa` names the
 * message template, `isvoiceotp` calls instead of texting and reads that template's SMS
 * content (the code digit by digit; the built-in script without one), `prevent_webhook` (or the
 * `X-PreventWebhook` header) publishes no event. Success answers the Profile with a phoneproof
 * proof token in place of the access token; failures answer `{ ErrorCode, Message, Description }`.
 * @module
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { memoryStore } from '../../adapters/memory/index';
import { consoleSender, createVerifier, type Verifier, type VerifierEvent } from '../../src/index';
import { messages } from './messages';
import { type Deps, fail, login, PROOF_TTL_MS, verifySms } from './steps';
import { type DemoUser, demoUsers } from './users';

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
    messages,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });

  const deps: Deps = { verifier, apiKey, users, pending: new Map() };
  const app = Fastify({ bodyLimit: 16 * 1024 });
  app.post('/identity/v2/auth/login', (req, reply) => login(deps, req, reply));
  app.put('/identity/v2/auth/login/2fa/sms', (req, reply) => verifySms(deps, req, reply));

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
