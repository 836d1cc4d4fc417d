/**
 * Body helpers for the Express router: content-type checks and the mapping of
 * body-parser's and the router's input errors to catalog responses. @internal
 * @module
 */
import type { Request } from 'express';
import type { VerifyError } from '../../src/errors';
import { bodyError } from '../../src/http/errors';
import { isFormUtf8, isJsonUtf8 } from '../../src/http/media';

/** True when the request announces a body (a length above zero or a chunked transfer). */
export function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** True for `application/json` in UTF-8 (see `src/http/media.ts`). */
export function isJson(req: Request): boolean {
  return isJsonUtf8(req.headers['content-type']);
}

/** True for `application/x-www-form-urlencoded` in UTF-8 (the inbound-SMS webhook only). */
export function isForm(req: Request): boolean {
  return isFormUtf8(req.headers['content-type']);
}

const INPUT_ERRORS = new Set([
  'entity.parse.failed',
  'entity.too.large',
  'entity.verify.failed',
  'charset.unsupported',
  'encoding.unsupported',
  'request.aborted',
  'request.size.invalid',
  'parameters.too.many',
]);

/**
 * The response for an input error thrown by body-parser (identified by its `type`) or by
 * the router's path decoding (a URIError with status 400); undefined for anything else.
 * Their messages are never forwarded: they can quote the input.
 */
export function bodyErrorOf(err: unknown): VerifyError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { type?: unknown; status?: unknown; statusCode?: unknown };
  const status = e.status ?? e.statusCode;
  if (typeof e.type === 'string' && INPUT_ERRORS.has(e.type)) return bodyError(status);
  if (err instanceof URIError && status === 400) {
    return bodyError(400, 'The request path is not valid.');
  }
  return undefined;
}
