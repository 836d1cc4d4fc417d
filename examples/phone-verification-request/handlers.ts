/**
 * The example's routes over their dependencies: who may call (roles and permission), the
 * signed request checked and sent (or sent again), the code verified. Answers are in the
 * result shape, JSON or JSV (./formats.ts).
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { httpStatus, normalizePhone, type Verifier, type VerifyError } from '../../src/index';
import {
  type RequestSignatureCheck,
  SIGNATURE_HEADER,
  SYSTEM_HEADER,
  TIMESTAMP_HEADER,
} from '../../src/signatures/index';
import { sendAs } from './formats';
import { type PhoneVerificationRequest, result, signedBody } from './request';

export interface Principal {
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
}

export const REQUIRED_ROLES = ['Admin', 'TeamAdmin', 'MobileApp'] as const;
export const REQUIRED_PERMISSION = 'ReadData';

export interface Deps {
  readonly verifier: Verifier;
  readonly signatureOk: RequestSignatureCheck;
  /** Bearer tokens -> who they are. */
  readonly principals: Readonly<Record<string, Principal>>;
  /**
   * The pending verification per number, path and device (one process only: a real
   * deployment keeps this in the store or beside the device).
   */
  readonly latest: Map<string, string>;
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
/** A verification that is no longer pending: send a new one instead of again. */
const CLOSED = new Set(['not_found', 'expired', 'max_attempts_reached']);

export const answer = (reply: FastifyReply, status: number, message: string, token?: string) =>
  sendAs(reply.code(status), { ...result(status, message, token ?? null) });

const refuse = (reply: FastifyReply, e: VerifyError) => {
  if (e.retryAfter !== undefined) reply.header('retry-after', String(e.retryAfter));
  return answer(reply, httpStatus(e.code), e.message);
};

/** 401 without a known bearer token, 403 without a required role or the permission. */
function authorize(d: Deps, req: FastifyRequest, reply: FastifyReply): boolean {
  const auth = req.headers.authorization;
  const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : '';
  const who = Object.hasOwn(d.principals, bearer) ? d.principals[bearer] : undefined;
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
}

/** `POST /phoneverification/request[/{FullPhoneNumber}[/{Path}]]`. */
export async function request(d: Deps, req: FastifyRequest, reply: FastifyReply) {
  if (!authorize(d, req, reply)) return reply;
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
  const signed = await d.signatureOk({
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
  return sendCode(d, req, reply, dto, signed.value.systemId);
}

/** Sends the code, or sends this device's pending verification of the number and path again. */
async function sendCode(
  d: Deps,
  req: FastifyRequest,
  reply: FastifyReply,
  dto: PhoneVerificationRequest,
  system: string,
) {
  const phone = String(dto.fullPhoneNumber ?? '');
  const deviceId = typeof dto.deviceId === 'string' ? dto.deviceId : '';
  const context = {
    ip: req.ip,
    ...(deviceId ? { deviceId } : {}),
    ...(typeof dto.os === 'string' && dto.os ? { os: dto.os } : {}),
    system,
  };
  const start = () =>
    d.verifier.start({ phone, ...(dto.path ? { purpose: dto.path } : {}), context });
  const e164 = normalizePhone(phone);
  const key = e164.isOk() ? JSON.stringify([e164.value.number, dto.path ?? '', deviceId]) : '';
  const prior = d.latest.get(key);
  let sent = prior ? await d.verifier.resend({ id: prior, context }) : await start();
  if (sent.isErr() && prior && CLOSED.has(sent.error.code)) sent = await start();
  if (sent.isErr()) return refuse(reply, sent.error);
  if (key) d.latest.set(key, sent.value.id);
  return answer(reply, 200, `Code sent to ${sent.value.to}.`, sent.value.id);
}

/** `POST /phoneverification/verify` `{ token, code }`: the proof token on success. */
export async function verify(d: Deps, req: FastifyRequest, reply: FastifyReply) {
  if (!authorize(d, req, reply)) return reply;
  const b = isObject(req.body) ? req.body : {};
  const checked = await d.verifier.check({ id: String(b.token ?? ''), code: String(b.code ?? '') });
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
}
