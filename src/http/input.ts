/**
 * Input shaping: turns an HTTP request's path id and JSON body into a verifier input.
 * Only the fields a route documents are picked (others are ignored); the verifier itself
 * validates each value, so there is one set of rules whichever way a call arrives. Clients
 * cannot set `silent` or `context`: the server decides those. @internal
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';
import type { RequestContext } from '../verifier/types';
import type { Operation } from './routes';

const START_FIELDS = ['phone', 'channel', 'purpose', 'locale', 'template', 'consent'] as const;
/** `source` is not read: the server sets it (`consentSource`). */
const CONSENT_FIELDS = ['text', 'version'] as const;
const RESEND_FIELDS = ['channel', 'locale', 'template'] as const;

type Input = Record<string, unknown>;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Copies the documented fields that are present; refuses a missing required field or a
 * value of the wrong JSON type (the same rules as the route's JSON Schema).
 */
function pick(
  from: Record<string, unknown>,
  fields: readonly string[],
  required: readonly string[],
  into: Input,
): Result<Input, VerifyError> {
  for (const f of required) {
    if (!Object.hasOwn(from, f) || from[f] === undefined) return invalid(`\`${f}\` is required.`);
  }
  for (const f of fields) {
    if (!Object.hasOwn(from, f) || from[f] === undefined) continue;
    const v = from[f];
    if (f === 'consent') {
      if (!isObject(v)) return invalid('`consent` must be an object.');
      // Only what the person saw: the IP and user agent come from the server's context.
      const consent = pick(v, CONSENT_FIELDS, [], {});
      if (consent.isErr()) return invalid(`\`consent.${consent.error.message.slice(1)}`);
      into.consent = consent.value;
      continue;
    }
    const versionOk = f === 'version' && typeof v === 'number' && Number.isFinite(v);
    if (typeof v !== 'string' && !versionOk) return invalid(`\`${f}\` must be a string.`);
    into[f] = v;
  }
  return ok(into);
}

const invalid = (message: string) => err(verifyError('invalid_request', { message }));

const notObject = () => invalid('The request body must be a JSON object.');

/**
 * Builds the operation input. `body` is the parsed JSON (undefined when there was none);
 * routes without a body ignore it.
 */
export function shapeInput(
  operation: Operation,
  id: unknown,
  body: unknown,
  context: RequestContext | undefined,
): Result<Input, VerifyError> {
  const base: Input = context ? { context } : {};
  switch (operation) {
    case 'start':
      return isObject(body) ? pick(body, START_FIELDS, ['phone'], base) : notObject();
    case 'check':
      base.id = id;
      return isObject(body) ? pick(body, ['code'], ['code'], base) : notObject();
    case 'resend':
      base.id = id;
      if (body === undefined) return ok(base);
      return isObject(body) ? pick(body, RESEND_FIELDS, [], base) : notObject();
    case 'status':
    case 'cancel':
      base.id = id;
      return ok(base);
    case 'inbound':
      return isObject(body) ? pick(body, ['from', 'text'], ['from', 'text'], {}) : notObject();
    // Only a second-factor challenge id is accepted: a client never names the subject.
    case 'totp_verify':
      return isObject(body) ? pick(body, ['id', 'token'], ['id', 'token'], base) : notObject();
    case 'totp_recover':
      return isObject(body) ? pick(body, ['id', 'code'], ['id', 'code'], base) : notObject();
  }
}
