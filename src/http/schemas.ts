/**
 * JSON Schemas (draft 2020-12 compatible, no `$ref`) of every route's body, path parameter
 * and responses, referenced by the route table (`routes.ts`). The Fastify plugin validates and
 * serializes with them, input shaping picks the fields they document, and the OpenAPI
 * document (`openapi.ts`, `docs/openapi.json`) carries them. @internal
 * @module
 */
import { CHANNELS } from '../ports/sender';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const channel = { type: 'string', enum: [...CHANNELS] } as const;
const verificationStatus = {
  type: 'string',
  enum: ['pending', 'approved', 'canceled', 'expired', 'failed'],
} as const;

export const idParams = {
  type: 'object',
  properties: { id: str },
  required: ['id'],
} as const;

export const startBodySchema = {
  type: 'object',
  properties: {
    phone: { ...str, description: 'The number, E.164 or national with the default country.' },
    channel,
    purpose: str,
    locale: str,
    template: str,
    consent: {
      type: 'object',
      description: 'Opt-in consent as shown to the person (required when consent is configured).',
      properties: {
        text: str,
        version: { anyOf: [str, { type: 'number' }] },
        source: {
          ...str,
          readOnly: true,
          description: 'Ignored: the server records its own `consentSource`.',
        },
      },
    },
  },
  required: ['phone'],
} as const;

export const checkBodySchema = {
  type: 'object',
  properties: { code: str },
  required: ['code'],
} as const;

export const resendBodySchema = {
  type: 'object',
  properties: { channel, locale: str, template: str },
} as const;

export const totpVerifyBodySchema = {
  type: 'object',
  properties: { id: { ...str, description: 'Second-factor challenge id.' }, token: str },
  required: ['id', 'token'],
} as const;

export const totpRecoverBodySchema = {
  type: 'object',
  properties: { id: { ...str, description: 'Second-factor challenge id.' }, code: str },
  required: ['id', 'code'],
} as const;

/**
 * The provider's own webhook fields (Twilio `From`/`Body`/`MessageSid`, Vonage
 * `msisdn`/`text`/`messageId` or `from`/`text`/`message_uuid`, or `{ from, text }` when
 * unauthenticated): read only after the signature checks.
 */
export const inboundBodySchema = {
  type: 'object',
  description:
    "The SMS provider's inbound-message webhook (SMS, or WhatsApp through Twilio or Vonage), form-encoded or JSON, as the provider signs it.",
} as const;

const timing = {
  expiresAt: { ...int, description: 'Epoch ms.' },
  expiresIn: { ...int, description: 'Seconds until the code expires.' },
  resendAvailableAt: { ...int, description: 'Epoch ms.' },
  resendIn: { ...int, description: 'Seconds until a resend is allowed.' },
} as const;

export const startResponseSchema = {
  type: 'object',
  properties: {
    id: str,
    status: { type: 'string', enum: ['pending'] },
    to: { ...str, description: 'Masked number.' },
    channel,
    purpose: str,
    ...timing,
    sendsLeft: int,
  },
  required: ['id', 'status', 'to', 'channel', 'purpose', 'expiresAt', 'expiresIn'],
} as const;

export const checkResponseSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['approved'] },
    id: str,
    to: str,
    purpose: str,
    verifiedAt: int,
    proof: { type: 'string', description: 'Proof of possession, when proofs are configured.' },
  },
  required: ['status', 'id', 'to', 'purpose', 'verifiedAt'],
} as const;

export const totpResponseSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['approved'] },
    id: str,
    purpose: str,
    method: { type: 'string', enum: ['totp', 'recovery'] },
    verifiedAt: int,
    recoveryCodesLeft: int,
    proof: { type: 'string', description: 'Proof token (see docs/proof-tokens.md).' },
  },
  required: ['status', 'id', 'purpose', 'method', 'verifiedAt'],
} as const;

export const statusResponseSchema = {
  type: 'object',
  properties: {
    id: str,
    status: verificationStatus,
    to: str,
    channel,
    purpose: str,
    attemptsLeft: int,
    sendsLeft: int,
    createdAt: int,
    ...timing,
    failedVerifications: {
      ...int,
      description: "The phone's failed verifications; only with the statusShowsPhone option.",
    },
    lockedUntil: {
      type: ['integer', 'null'],
      description: 'Epoch ms the phone is locked until; only with the statusShowsPhone option.',
    },
  },
  required: ['id', 'status', 'to', 'channel', 'purpose', 'attemptsLeft', 'sendsLeft'],
} as const;

export const cancelResponseSchema = {
  type: 'object',
  properties: { id: str, status: verificationStatus },
  required: ['id', 'status'],
} as const;

export const inboundResponseSchema = {
  type: 'object',
  properties: {
    action: { type: 'string', enum: ['opted_out', 'opted_in', 'help', 'none', 'ignored'] },
    reply: str,
  },
  required: ['action'],
} as const;

export const errorResponseSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: str,
        message: str,
        retryAfter: { ...int, description: 'Seconds (also sent as Retry-After).' },
        attemptsLeft: int,
        scope: {
          type: 'string',
          enum: ['phone', 'requester', 'prefix', 'country', 'global'],
          description: 'What a limit refusal applies to.',
        },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;
