/**
 * Body reading for the Web-standard handler, with Web APIs only: the stream is read up to
 * the route's byte limit (never buffered past it), then parsed as JSON, or as a form on
 * the routes that take one, in UTF-8; anything else is 415. Parse errors never quote the
 * input. @internal
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import { type VerifyError, verifyError } from '../../src/errors';
import { bodyError } from '../../src/http/errors';
import { isFormUtf8, isJsonUtf8 } from '../../src/http/media';

/** The most fields a form body may carry (Express's `parameterLimit` in the router). */
const FORM_FIELDS = 100;

/** What a route's body reading gives the handler. */
export interface ReadBody {
  /** JSON value or form fields; undefined when the request had no body. */
  readonly body: unknown;
  /** The exact bytes (kept for signatures and the inbound webhook). */
  readonly raw: Uint8Array | undefined;
}

const tooLarge = (): VerifyError => verifyError('payload_too_large');
const unsupported = (): VerifyError => verifyError('unsupported_media_type');
const invalid = (): VerifyError => bodyError(400) as VerifyError;

/** Reads at most `limit` bytes; err(413) as soon as the stream goes past it. */
async function readLimited(
  stream: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Result<Uint8Array, VerifyError>> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return err(tooLarge());
      }
      chunks.push(value);
    }
  } catch {
    return err(invalid()); // the client went away mid-body
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return ok(bytes);
}

/** A form body as name → value (a repeated name → every value); err past `FORM_FIELDS`. */
function formFields(text: string): Result<Record<string, string | string[]>, VerifyError> {
  const out: Record<string, string | string[]> = Object.create(null);
  let count = 0;
  for (const [k, v] of new URLSearchParams(text)) {
    count += 1;
    if (count > FORM_FIELDS) return err(tooLarge());
    const had = out[k];
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return ok(out);
}

/** Strict JSON, as Express's parser: an object or an array at the top. */
function jsonValue(text: string): Result<unknown, VerifyError> {
  if (!/^[\s]*[[{]/.test(text)) return err(invalid());
  try {
    return ok(JSON.parse(text));
  } catch {
    return err(invalid());
  }
}

/** The spec of a route's body, as the handler reads it. */
export interface BodyRule {
  readonly form: boolean;
  readonly keepRaw: boolean;
  readonly limit: number;
}

/**
 * Reads and parses a request's body for one route. A request without a body (no stream,
 * or zero bytes) has `body` undefined; the route decides whether it needs one.
 */
export async function readBody(
  request: Request,
  rule: BodyRule,
): Promise<Result<ReadBody, VerifyError>> {
  if (request.body === null) return ok({ body: undefined, raw: undefined });
  const type = request.headers.get('content-type');
  const length = request.headers.get('content-length');
  const json = isJsonUtf8(type);
  const form = rule.form && isFormUtf8(type);
  const announced = length !== null && length !== '0';
  if (!json && !form && (announced || request.headers.has('transfer-encoding'))) {
    return err(unsupported());
  }
  const encoding = request.headers.get('content-encoding');
  if (encoding !== null && encoding.toLowerCase() !== 'identity') return err(unsupported());
  if (length !== null && Number(length) > rule.limit) return err(tooLarge());
  const bytes = await readLimited(request.body, rule.limit);
  if (bytes.isErr()) return err(bytes.error);
  if (bytes.value.byteLength === 0) return ok({ body: undefined, raw: undefined });
  if (!json && !form) return err(unsupported());
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.value);
  } catch {
    return err(invalid());
  }
  const parsed = json ? jsonValue(text) : formFields(text);
  const raw = rule.keepRaw || form ? bytes.value : undefined;
  return parsed.map((body) => ({ body, raw }));
}
