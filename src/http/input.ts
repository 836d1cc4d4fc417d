/**
 * Input shaping: turns a request's path parameters and body into a verifier input. The
 * fields picked are the ones the route's JSON Schema documents (others are ignored; a
 * `readOnly` one, such as `consent.source`, is the server's to set and never read); the
 * verifier itself validates each value, so there is one set of rules whichever way a call
 * arrives. Clients cannot set `silent` or `context`: the server decides those. @internal
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';
import { inboundMessage } from './inbound';
import type { HttpRequest, InputDeps } from './request';

export type Input = Record<string, unknown>;

/** The part of a JSON Schema shaping reads. */
interface FieldSchema {
  readonly type?: unknown;
  readonly anyOf?: readonly { readonly type?: unknown }[];
  readonly readOnly?: boolean;
  readonly properties?: Readonly<Record<string, FieldSchema>>;
  readonly required?: readonly string[];
}

/** A route's body: its schema, and whether a request may leave it out. */
export interface BodySpec {
  readonly schema: object;
  readonly optional?: true;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const invalid = (message: string) => err(verifyError('invalid_request', { message }));

const present = (from: Record<string, unknown>, f: string) =>
  Object.hasOwn(from, f) && from[f] !== undefined;

/**
 * Copies the documented fields that are present; refuses a missing required field or a
 * value of the wrong JSON type (strings; a number where the schema allows one).
 */
function pick(
  from: Record<string, unknown>,
  schema: FieldSchema,
  into: Input,
): Result<Input, VerifyError> {
  for (const f of schema.required ?? []) {
    if (!present(from, f)) return invalid(`\`${f}\` is required.`);
  }
  for (const [f, field] of Object.entries(schema.properties ?? {})) {
    if (field.readOnly === true || !present(from, f)) continue;
    const v = from[f];
    if (field.type === 'object') {
      if (!isObject(v)) return invalid(`\`${f}\` must be an object.`);
      const inner = pick(v, field, {});
      if (inner.isErr()) return invalid(`\`${f}.${inner.error.message.slice(1)}`);
      into[f] = inner.value;
      continue;
    }
    const number = field.anyOf?.some((s) => s.type === 'number') === true;
    const numberOk = number && typeof v === 'number' && Number.isFinite(v);
    if (typeof v !== 'string' && !numberOk) return invalid(`\`${f}\` must be a string.`);
    into[f] = v;
  }
  return ok(into);
}

/** The names of a route path's parameters (`:id`). */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
}

/**
 * The default input of a route: the requester context, the path parameters, and the
 * body's documented fields (`body` undefined: the route reads no body).
 */
export function shapeInput(
  path: string,
  body: BodySpec | undefined,
  request: Pick<HttpRequest, 'params' | 'body'>,
  deps: Pick<InputDeps, 'context'>,
): Result<Input, VerifyError> {
  const base: Input = deps.context ? { context: deps.context } : {};
  for (const name of pathParams(path)) base[name] = request.params[name];
  if (body === undefined || (body.optional && request.body === undefined)) return ok(base);
  if (!isObject(request.body)) return invalid('The request body must be a JSON object.');
  return pick(request.body, body.schema as FieldSchema, base);
}

/**
 * What the server adds to a start: the consent's `source` (the client's is never read) and
 * the `Idempotency-Key` header (a retried start returns the same verification).
 */
export function startExtras(input: Input, request: HttpRequest, deps: InputDeps): Input {
  if (input.consent !== undefined) {
    input.consent = { ...(input.consent as object), source: deps.consentSource };
  }
  const idempotencyKey = request.headers['idempotency-key'];
  if (idempotencyKey !== undefined) input.idempotencyKey = idempotencyKey;
  return input;
}

/** The inbound webhook's input: the provider's message, once its signature checks. */
export function inboundInput(request: HttpRequest, deps: InputDeps): Result<Input, VerifyError> {
  if (deps.inbound === undefined) return err(verifyError('not_found'));
  const message = inboundMessage(deps.inbound, request, deps.now);
  return message.map((m) => ({ ...m }));
}
