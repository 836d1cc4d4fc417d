/**
 * The ONE route table of the HTTP surface: each operation is defined here once (method,
 * path, body schema, success status, the verifier call, the response mapping, when it is
 * mounted, its OpenAPI description). The handler (`handler.ts`), the Express router, the
 * Fastify plugin and the OpenAPI document (`openapi.ts`) are all derived from it. @internal
 * @module
 */
import type { ErrorCode } from '../errors';
import type { Verifier } from '../verifier/types';
import { inboundInput, startExtras } from './input';
import { cancelBody, checkBody, inboundBody, startBody, statusBody, totpBody } from './response';
import { type HeaderDoc, route } from './route';
import * as S from './schemas';

type In<F extends (input: never) => unknown> = Parameters<F>[0];

const idempotencyKey: HeaderDoc = {
  name: 'Idempotency-Key',
  description: 'A retried start with the same key returns the same verification and sends nothing.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

const totpErrors: readonly ErrorCode[] = [
  'invalid_request',
  'not_found',
  'expired',
  'invalid_token',
  'totp_not_enrolled',
  'locked',
];

export const routeTable = [
  route({
    operation: 'start',
    method: 'POST',
    path: '/verifications',
    status: 201,
    body: { schema: S.startBodySchema },
    extras: startExtras,
    call: (v, input: In<Verifier['start']>) => v.start(input),
    respond: (r, { now }) => startBody(r, now),
    response: S.startResponseSchema,
    doc: {
      summary: 'Start a verification: send a code to a phone number.',
      result: 'Started',
      bodyName: 'StartBody',
      headers: [idempotencyKey],
      errors: [
        'invalid_request',
        'invalid_phone',
        'country_not_allowed',
        'consent_required',
        'opted_out',
        'resend_too_soon',
        'send_limit_reached',
        'locked',
        'delivery_failed',
        'number_type_not_allowed',
        'rate_limited',
        'destination_paused',
        'idempotency_conflict',
        'budget_exceeded',
      ],
    },
  }),
  route({
    operation: 'check',
    method: 'POST',
    path: '/verifications/:id/check',
    status: 200,
    body: { schema: S.checkBodySchema },
    call: (v, input: In<Verifier['check']>) => v.check(input),
    respond: (r) => checkBody(r),
    response: S.checkResponseSchema,
    doc: {
      summary: 'Check a code.',
      result: 'Approved',
      bodyName: 'CheckBody',
      errors: [
        'invalid_request',
        'not_found',
        'expired',
        'code_mismatch',
        'max_attempts_reached',
        'locked',
      ],
    },
  }),
  route({
    operation: 'resend',
    method: 'POST',
    path: '/verifications/:id/resend',
    status: 200,
    body: { schema: S.resendBodySchema, optional: true },
    call: (v, input: In<Verifier['resend']>) => v.resend(input),
    respond: (r, { now }) => startBody(r, now),
    response: S.startResponseSchema,
    doc: {
      summary: 'Send a new code for a pending verification.',
      result: 'Started',
      bodyName: 'ResendBody',
      errors: [
        'invalid_request',
        'not_found',
        'expired',
        'resend_too_soon',
        'send_limit_reached',
        'locked',
        'opted_out',
        'delivery_failed',
        'rate_limited',
        'destination_paused',
        'budget_exceeded',
      ],
    },
  }),
  route({
    operation: 'status',
    method: 'GET',
    path: '/verifications/:id',
    status: 200,
    call: (v, input: In<Verifier['status']>) => v.status(input),
    respond: (r, { now, statusShowsPhone }) => statusBody(r, now, statusShowsPhone),
    response: S.statusResponseSchema,
    doc: {
      summary: 'Read a verification (masked number, attempts and sends left, lock).',
      result: 'Verification',
      errors: ['not_found'],
    },
  }),
  route({
    operation: 'cancel',
    method: 'DELETE',
    path: '/verifications/:id',
    status: 200,
    call: (v, input: In<Verifier['cancel']>) => v.cancel(input),
    respond: (r) => cancelBody(r),
    response: S.cancelResponseSchema,
    doc: { summary: 'Cancel a pending verification.', result: 'Canceled', errors: ['not_found'] },
  }),
  route({
    operation: 'totp_verify',
    method: 'POST',
    path: '/totp/verify',
    status: 200,
    body: { schema: S.totpVerifyBodySchema },
    call: (v, input: In<Verifier['totp']['verify']>) => v.totp.verify(input),
    respond: (r) => totpBody(r),
    response: S.totpResponseSchema,
    doc: {
      summary: 'Second factor: an authenticator code for a challenge from totp.challenge.',
      result: 'SecondFactorApproved',
      bodyName: 'TotpVerifyBody',
      errors: totpErrors,
    },
  }),
  route({
    operation: 'totp_recover',
    method: 'POST',
    path: '/totp/recover',
    status: 200,
    body: { schema: S.totpRecoverBodySchema },
    call: (v, input: In<Verifier['totp']['recover']>) => v.totp.recover(input),
    respond: (r) => totpBody(r),
    response: S.totpResponseSchema,
    doc: {
      summary: 'Second factor: a recovery code for a challenge from totp.challenge.',
      result: 'SecondFactorApproved',
      bodyName: 'TotpRecoverBody',
      errors: totpErrors,
    },
  }),
  route({
    operation: 'inbound',
    method: 'POST',
    path: '/inbound-sms',
    status: 200,
    body: { schema: S.inboundBodySchema, form: true, raw: true },
    mountedWhen: 'inbound',
    input: inboundInput,
    call: (v, input: In<Verifier['consent']['inbound']>) => v.consent.inbound(input),
    respond: (r) => inboundBody(r),
    response: S.inboundResponseSchema,
    doc: {
      summary:
        "The SMS provider's inbound-message webhook (STOP / START / HELP), as the provider posts it (Twilio form with X-Twilio-Signature; Vonage SMS API form or JSON with `sig`, or Messages API JSON with a Bearer JWT). Mounted only when the app configures `inbound` (how requests are authenticated) and consent; unsigned or badly signed requests are 401 `signature_invalid` and change nothing.",
      result: 'InboundResult',
      bodyName: 'InboundBody',
      errors: ['invalid_request', 'invalid_phone'],
    },
  }),
] as const;

/** A route of the table. */
export type Route = (typeof routeTable)[number];

/** What a route does: one verifier operation, or the consent webhook. */
export type Operation = Route['operation'];

/** Every operation, in table order. */
export const OPERATIONS: readonly Operation[] = routeTable.map((r) => r.operation);

/** Default largest JSON body, in bytes. */
export const DEFAULT_BODY_LIMIT = 16 * 1024;
