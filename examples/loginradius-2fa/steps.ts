/**
 * The example's two routes over their dependencies: step 1 (password, then the code is sent)
 * and step 2 (the code checked, or sent again), answering LoginRadius's shapes.
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StartResult, Verifier } from '../../src/index';
import { type ErrorReply, missingParameter, refusal, unauthorizedKey } from './errors';
import { authenticate, type DemoUser, profileOf } from './users';

export interface Deps {
  readonly verifier: Verifier;
  readonly apiKey: string;
  readonly users: readonly DemoUser[];
  /** Which user a second-factor token belongs to (a real tenant keeps this in its session store). */
  readonly pending: Map<string, DemoUser>;
}

type Query = Record<string, string | undefined>;
const PURPOSE = 'login';
export const PROOF_TTL_MS = 5 * 60_000;
const yes = (v: unknown) => v === 'true' || v === true;

export const fail = (reply: FastifyReply, e: ErrorReply) => {
  if (e.retryAfter !== undefined) reply.header('retry-after', String(e.retryAfter));
  return reply.code(e.status).send(e.body);
};

const keyCheck = (d: Deps, q: Query): ErrorReply | undefined => {
  if (!q.apikey) return missingParameter('apikey');
  return q.apikey === d.apiKey ? undefined : unauthorizedKey;
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

/** `POST /identity/v2/auth/login`: the password, then the second factor's code is sent. */
export async function login(d: Deps, req: FastifyRequest, reply: FastifyReply) {
  const q = req.query as Query;
  const bad = keyCheck(d, q);
  if (bad) return fail(reply, bad);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const user = authenticate(d.users, body.username ?? body.email, body.password);
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
  const started = await d.verifier.start({
    phone: user.PhoneId,
    purpose: PURPOSE,
    channel: yes(q.isvoiceotp) ? 'voice' : 'sms',
    ...(q.smstemplate2fa ? { template: q.smstemplate2fa } : {}),
    silent: silentOf(req, q),
    context: { ip: req.ip, userId: user.Uid },
  });
  if (started.isErr()) return fail(reply, refusal(started.error));
  d.pending.set(started.value.id, user);
  return secondFactor(started.value);
}

/** `PUT /identity/v2/auth/login/2fa/sms`: checks the `otp`, or sends the code again without one. */
export async function verifySms(d: Deps, req: FastifyRequest, reply: FastifyReply) {
  const q = req.query as Query;
  const bad = keyCheck(d, q);
  if (bad) return fail(reply, bad);
  const token = q.secondfactorauthenticationtoken;
  if (!token) return fail(reply, missingParameter('secondfactorauthenticationtoken'));
  const silent = silentOf(req, q);
  const user = d.pending.get(token);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const otp = body.otp;

  if (otp === undefined || otp === '') {
    // No code yet: send it (again) on the channel and template asked for.
    const sent = await d.verifier.resend({
      id: token,
      channel: yes(q.isvoiceotp) ? 'voice' : 'sms',
      ...(q.smstemplate2fa ? { template: q.smstemplate2fa } : {}),
      silent,
      context: { ip: req.ip, ...(user ? { userId: user.Uid } : {}) },
    });
    return sent.isErr() ? fail(reply, refusal(sent.error)) : secondFactor(sent.value);
  }
  if (typeof otp !== 'string') return fail(reply, missingParameter('otp'));

  const checked = await d.verifier.check({ id: token, code: otp, silent });
  if (checked.isErr()) return fail(reply, refusal(checked.error));
  d.pending.delete(token);
  if (!user || checked.value.proof === undefined) {
    return fail(reply, refusal({ code: 'not_found', message: 'Unknown second factor token.' }));
  }
  return {
    Profile: profileOf(user, q.fields),
    access_token: checked.value.proof,
    refresh_token: null,
    expires_in: new Date(checked.value.verifiedAt + PROOF_TTL_MS).toISOString(),
  };
}
