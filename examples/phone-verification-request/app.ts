/**
 * `POST /phoneverification/request/{FullPhoneNumber}/{Path}` rebuilt on phoneproof with
 * Fastify. The caller authenticates (a bearer token with one of the roles Admin, TeamAdmin or
 * MobileApp and the permission ReadData), the request carries a signature from a known
 * system (HMAC over method, target, timestamp and fields; skew window and replay cache
 * through phoneproof's signed-request check), `deviceId` and `os` become the request context,
 * `Path` the purpose. The answer is `{ token, sentSuccess, statusCode, statusMessage }`, the
 * token being the verification id that `POST /phoneverification/verify` then checks.
 * @module
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { memoryStore } from '../../adapters/memory/index';
import {
  consoleSender,
  createVerifier,
  httpStatus,
  type Secret,
  type Verifier,
  type VerifierEvent,
  type VerifyError,
} from '../../src/index';
import {
  requestSignatureCheck,
  SIGNATURE_HEADER,
  SYSTEM_HEADER,
  TIMESTAMP_HEADER,
} from '../../src/signatures/index';
import { type PhoneVerificationRequest, result, signedBody } from './request';

export interface Principal {
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
}

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

export const REQUIRED_ROLES = ['Admin', 'TeamAdmin', 'MobileApp'] as const;
export const REQUIRED_PERMISSION = 'ReadData';

export const demoSystems = { 'mobile-app': 'mobile-app-system-secret-0123456789abcdef' };
export const demoPrincipals: Record<string, Principal> = {
  'demo-mobile-app-token': { roles: ['MobileApp'], permissions: ['ReadData'] },
  'demo-reporting-token': { roles: ['Reporting'], permissions: ['ReadData'] },
};

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

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

  const answer = (reply: FastifyReply, status: number, message: string, token?: string) =>
    reply.code(status).send(result(status, message, token ?? null));
  const refuse = (reply: FastifyReply, e: VerifyError) => {
    if (e.retryAfter !== undefined) reply.header('retry-after', String(e.retryAfter));
    return answer(reply, httpStatus(e.code), e.message);
  };

  /** 401 without a known bearer token, 403 without a required role or the permission. */
  const authorize = (req: FastifyRequest, reply: FastifyReply): boolean => {
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : '';
    const who = Object.hasOwn(principals, bearer) ? principals[bearer] : undefined;
    if (!who) {
      answer(reply, 401, 'Authentication is required.');
      return false;
    }
    const roleOk = who.roles.some((r) => (REQUIRED_ROLES as readonly string[]).includes(r));
    if (!roleOk || !who.permissions.includes(REQUIRED_PERMISSION)) {
      answer(
        reply,
        403,
        `Requires one of the roles ${REQUIRED_ROLES.join(', ')} and ${REQUIRED_PERMISSION}.`,
      );
      return false;
    }
    return true;
  };

  async function request(req: FastifyRequest, reply: FastifyReply) {
    if (!authorize(req, reply)) return reply;
    if (!isObject(req.body))
      return answer(reply, 400, 'The body must be a PhoneVerificationRequest.');
    const params = req.params as { FullPhoneNumber?: string; Path?: string };
    // Route values fill the request, as the original service's routes do.
    const dto: PhoneVerificationRequest = {
      ...(req.body as PhoneVerificationRequest),
      ...(params.FullPhoneNumber !== undefined ? { fullPhoneNumber: params.FullPhoneNumber } : {}),
      ...(params.Path !== undefined ? { path: params.Path } : {}),
    };
    const sig = isObject(dto.signature) ? dto.signature : {};
    if (typeof sig.systemSecret === 'string' && sig.systemSecret !== '') {
      return answer(reply, 400, 'Do not send systemSecret: sign the request with it instead.');
    }
    const ts = dto.requestUnixUTCTimeStamp;
    if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) {
      return answer(reply, 400, 'requestUnixUTCTimeStamp must be Unix time in seconds.');
    }
    const signed = await signatureOk({
      method: 'POST',
      path: req.url,
      // The body as sent: route values are covered by the signed target.
      body: signedBody(req.body as PhoneVerificationRequest),
      headers: {
        [SYSTEM_HEADER]: typeof sig.systemId === 'string' ? sig.systemId : undefined,
        [TIMESTAMP_HEADER]: String(ts * 1000),
        [SIGNATURE_HEADER]: typeof sig.signature === 'string' ? sig.signature : undefined,
      },
    });
    if (signed.isErr()) return refuse(reply, signed.error);

    const started = await verifier.start({
      phone: String(dto.fullPhoneNumber ?? ''),
      ...(dto.path ? { purpose: dto.path } : {}),
      context: {
        ip: req.ip,
        ...(typeof dto.deviceId === 'string' && dto.deviceId ? { deviceId: dto.deviceId } : {}),
        ...(typeof dto.os === 'string' && dto.os ? { os: dto.os } : {}),
        system: signed.value.systemId,
      },
    });
    if (started.isErr()) return refuse(reply, started.error);
    return answer(reply, 200, `Code sent to ${started.value.to}.`, started.value.id);
  }

  const app = Fastify({ bodyLimit: 16 * 1024 });
  app.post('/phoneverification/request', request);
  app.post('/phoneverification/request/:FullPhoneNumber', request);
  app.post('/phoneverification/request/:FullPhoneNumber/:Path', request);

  app.post('/phoneverification/verify', async (req, reply) => {
    if (!authorize(req, reply)) return reply;
    const b = isObject(req.body) ? req.body : {};
    const checked = await verifier.check({ id: String(b.token ?? ''), code: String(b.code ?? '') });
    if (checked.isErr()) {
      const e = checked.error;
      return reply
        .code(httpStatus(e.code))
        .send({ verified: false, statusCode: httpStatus(e.code), statusMessage: e.message });
    }
    return {
      verified: true,
      statusCode: 200,
      statusMessage: 'Verified.',
      proof: checked.value.proof,
    };
  });

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
