/**
 * `POST /phoneverification/request/{FullPhoneNumber}/{Path}` rebuilt on phoneproof with
 * Fastify. The caller authenticates (a bearer token with one of the roles Admin, TeamAdmin or
 * MobileApp and the permission ReadData), the request carries a signature from a known
 * system (HMAC over method, target, timestamp and fields; skew window and replay cache
 * through phoneproof's signed-request check), `deviceId` and `os` become the request context,
 * `Path` the purpose. The answer is `{ token, sentSuccess, statusCode, statusMessage }`, the
 * token being the verification id that `POST /phoneverification/verify` then checks. A
 * request while the same device's verification of the number for the same path is pending
 * sends it again (`resend`: the same growing cooldown as the other examples, same token).
 * Bodies and answers are JSON or JSV (./formats.ts).
 * @module
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { memoryStore } from '../../adapters/memory/index';
import {
  consoleSender,
  createVerifier,
  type Secret,
  type Verifier,
  type VerifierEvent,
} from '../../src/index';
import { requestSignatureCheck } from '../../src/signatures/index';
import { acceptJsv } from './formats';
import { answer, type Deps, type Principal, request, verify } from './handlers';

export { type Principal, REQUIRED_PERMISSION, REQUIRED_ROLES } from './handlers';

export interface PhoneVerificationOptions {
  /** Calling systems: system id -> shared secret (32+ bytes). */
  readonly systems?: Readonly<Record<string, Secret>>;
  /** Bearer tokens -> who they are. */
  readonly principals?: Readonly<Record<string, Principal>>;
  readonly secret?: string;
  readonly now?: () => number;
  readonly write?: (line: string) => void;
  readonly onEvent?: (event: VerifierEvent) => void;
}

export interface PhoneVerificationApp {
  readonly app: FastifyInstance;
  readonly verifier: Verifier;
}

export const demoSystems = { 'mobile-app': 'mobile-app-system-secret-0123456789abcdef' };
export const demoPrincipals: Record<string, Principal> = {
  'demo-mobile-app-token': { roles: ['MobileApp'], permissions: ['ReadData'] },
  'demo-reporting-token': { roles: ['Reporting'], permissions: ['ReadData'] },
};

export function createPhoneVerificationApp(
  options: PhoneVerificationOptions = {},
): PhoneVerificationApp {
  const now = options.now ?? Date.now;
  const principals = options.principals ?? demoPrincipals;
  const store = memoryStore({ now });
  const verifier = createVerifier({
    secret: options.secret ?? 'phone-verification-request-demo-secret-01234',
    store,
    sender: consoleSender(options.write ? { write: options.write } : {}),
    now,
    appName: 'Tickets',
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  // The replay cache lives in the verifier's store, so every instance sharing it refuses a replay.
  const signatureOk = requestSignatureCheck({
    systems: options.systems ?? demoSystems,
    store,
    now,
  });

  const deps: Deps = { verifier, signatureOk, principals, latest: new Map() };
  const app = Fastify({ bodyLimit: 16 * 1024 });
  acceptJsv(app);
  const route = (req: FastifyRequest, reply: FastifyReply) => request(deps, req, reply);
  app.post('/phoneverification/request', route);
  app.post('/phoneverification/request/:FullPhoneNumber', route);
  app.post('/phoneverification/request/:FullPhoneNumber/:Path', route);
  app.post('/phoneverification/verify', (req, reply) => verify(deps, req, reply));

  app.setErrorHandler((error: { statusCode?: number; message?: string }, _req, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    return answer(
      reply,
      status,
      status === 500 ? 'Internal error.' : (error.message ?? 'Bad request.'),
    );
  });
  return { app, verifier };
}
