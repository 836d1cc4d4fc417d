/**
 * Builds the OpenAPI 3.1 description of the HTTP adapters from the very schemas they use
 * (`src/http/schemas.ts`) and the route table. `docs/openapi.json` must equal its output
 * (test/http/openapi.test.ts); regenerate with `npx tsx test/http/openapi-doc.ts --write`.
 */
import { writeFileSync } from 'node:fs';
import { errorCatalog } from '../../src/errors';
import { type Operation, routeTable } from '../../src/http/routes';
import {
  bodySchemas,
  errorResponseSchema,
  idParams,
  responseSchemas,
} from '../../src/http/schemas';

const summaries: Record<Operation, string> = {
  start: 'Start a verification: send a code to a phone number.',
  check: 'Check a code.',
  resend: 'Send a new code for a pending verification.',
  status: 'Read a verification (masked number, attempts and sends left, lock).',
  cancel: 'Cancel a pending verification.',
  inbound:
    "The SMS provider's inbound-message webhook (STOP / START / HELP), as the provider posts it (Twilio form with X-Twilio-Signature; Vonage SMS API form or JSON with `sig`, or Messages API JSON with a Bearer JWT). Mounted only when the app configures `inbound` (how requests are authenticated) and consent; unsigned or badly signed requests are 401 `signature_invalid` and change nothing.",
  totp_verify: 'Second factor: an authenticator code for a challenge from totp.challenge.',
  totp_recover: 'Second factor: a recovery code for a challenge from totp.challenge.',
};

const errorCodes: Record<Operation, string[]> = {
  start: [
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
  check: [
    'invalid_request',
    'not_found',
    'expired',
    'code_mismatch',
    'max_attempts_reached',
    'locked',
  ],
  resend: [
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
  status: ['not_found'],
  cancel: ['not_found'],
  inbound: ['invalid_request', 'invalid_phone'],
  totp_verify: [
    'invalid_request',
    'not_found',
    'expired',
    'invalid_token',
    'totp_not_enrolled',
    'locked',
  ],
  totp_recover: [
    'invalid_request',
    'not_found',
    'expired',
    'invalid_token',
    'totp_not_enrolled',
    'locked',
  ],
};

const common = [
  'forbidden',
  'signature_invalid',
  'payload_too_large',
  'unsupported_media_type',
  'store_unavailable',
];

function statusesOf(operation: Operation): number[] {
  const codes = [...errorCodes[operation], ...common].filter((c) => Object.hasOwn(errorCatalog, c));
  const statuses = new Set(codes.map((c) => errorCatalog[c as keyof typeof errorCatalog].status));
  return [...statuses].sort((a, b) => a - b);
}

function errorDescription(operation: Operation, status: number): string {
  const codes = [...errorCodes[operation], ...common].filter(
    (c) =>
      Object.hasOwn(errorCatalog, c) &&
      errorCatalog[c as keyof typeof errorCatalog].status === status,
  );
  return `Refused: ${codes.map((c) => `\`${c}\``).join(', ')}.`;
}

const componentName: Record<Operation, string> = {
  start: 'Started',
  check: 'Approved',
  resend: 'Started',
  status: 'Verification',
  cancel: 'Canceled',
  inbound: 'InboundResult',
  totp_verify: 'SecondFactorApproved',
  totp_recover: 'SecondFactorApproved',
};

const bodyName: Partial<Record<Operation, string>> = {
  start: 'StartBody',
  check: 'CheckBody',
  resend: 'ResendBody',
  inbound: 'InboundBody',
  totp_verify: 'TotpVerifyBody',
  totp_recover: 'TotpRecoverBody',
};

export function buildOpenApi() {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, unknown> = { Error: errorResponseSchema };
  for (const route of routeTable) {
    const op = route.operation;
    schemas[componentName[op]] = responseSchemas[op];
    const bodyRef = bodyName[op];
    if (bodyRef) schemas[bodyRef] = bodySchemas[op];
    const path = route.path.replace(':id', '{id}');
    const responses: Record<string, unknown> = {
      [route.status]: {
        description: 'Success.',
        content: {
          'application/json': { schema: { $ref: `#/components/schemas/${componentName[op]}` } },
        },
      },
    };
    for (const status of statusesOf(op)) {
      responses[status] = {
        description: errorDescription(op, status),
        headers:
          status === 429
            ? { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } }
            : undefined,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
      if (status !== 429) delete (responses[status] as { headers?: unknown }).headers;
    }
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      operationId: op,
      summary: summaries[op],
      ...(route.path.includes(':id')
        ? {
            parameters: [
              {
                name: 'id',
                in: 'path',
                required: true,
                schema: idParams.properties.id,
                description: 'Verification id.',
              },
            ],
          }
        : {}),
      ...(op === 'start'
        ? {
            parameters: [
              {
                name: 'Idempotency-Key',
                in: 'header',
                required: false,
                description:
                  'A retried start with the same key returns the same verification and sends nothing.',
                schema: { type: 'string', minLength: 1, maxLength: 255 },
              },
            ],
          }
        : {}),
      ...(bodyRef
        ? {
            requestBody: {
              required: op !== 'resend',
              content: {
                'application/json': { schema: { $ref: `#/components/schemas/${bodyRef}` } },
                ...(op === 'inbound'
                  ? {
                      'application/x-www-form-urlencoded': {
                        schema: { $ref: `#/components/schemas/${bodyRef}` },
                      },
                    }
                  : {}),
              },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'phoneproof HTTP adapters',
      version: '0.1.0',
      description:
        'Routes mounted by `verificationRouter` (phoneproof/express) and `verificationPlugin` (phoneproof/fastify), relative to the mount point. When `signatures` is configured every request also carries the x-phoneproof-system, x-phoneproof-timestamp and x-phoneproof-signature headers (docs/signed-requests.md).',
    },
    paths,
    components: {
      schemas,
      headers: {
        RetryAfter: {
          description: 'Seconds to wait; sent with every time-based refusal.',
          schema: { type: 'integer', minimum: 1 },
        },
      },
    },
  };
}

if (process.argv.includes('--write')) {
  writeFileSync(
    new URL('../../docs/openapi.json', import.meta.url),
    `${JSON.stringify(buildOpenApi(), null, 2)}\n`,
  );
  console.log('wrote docs/openapi.json');
}
