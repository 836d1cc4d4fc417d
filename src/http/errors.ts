/**
 * The ONE error-to-HTTP mapping, shared by every adapter: the status comes from the error
 * catalog (`httpStatus`), the body is `{ error: { code, message, retryAfter?,
 * attemptsLeft?, scope? } }`, and every time-based refusal carries a `Retry-After` header.
 * Server-side failures (5xx) get the catalog's message, never a driver's or provider's text,
 * and phone-number-like digit runs are redacted from any message.
 * @module
 */
import { type ErrorCode, errorCatalog, httpStatus, type VerifyError, verifyError } from '../errors';

/** A response, framework-neutral. Header names are lower-case. */
export interface HttpResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly retryAfter?: number;
    readonly attemptsLeft?: number;
    readonly scope?: string;
  };
}

/** A run of 6+ digits, optionally with `+` and separators: could be (part of) a number. */
const DIGIT_RUN = /\+?\d(?:[\s().-]{0,2}\d){5,}/g;

/** Replaces phone-like digit runs with `•••`. */
export function redactDigits(text: string): string {
  return text.replace(DIGIT_RUN, '•••');
}

function known(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalog, code);
}

/** Maps an expected failure to its HTTP response. */
export function errorResponse(error: VerifyError): HttpResponse {
  const code = known(error.code) ? error.code : undefined;
  const status = code ? httpStatus(code) : 500;
  const message =
    code === undefined
      ? 'Internal error.'
      : status >= 500
        ? errorCatalog[code].message
        : redactDigits(String(error.message ?? errorCatalog[code].message));
  const retryAfter =
    typeof error.retryAfter === 'number' && Number.isFinite(error.retryAfter)
      ? Math.max(1, Math.ceil(error.retryAfter))
      : undefined;
  const body: ErrorBody = {
    error: {
      code: code ?? 'internal_error',
      message,
      ...(retryAfter !== undefined ? { retryAfter } : {}),
      ...(typeof error.attemptsLeft === 'number' ? { attemptsLeft: error.attemptsLeft } : {}),
      ...(error.scope ? { scope: error.scope } : {}),
    },
  };
  return retryAfter !== undefined
    ? { status, headers: { 'retry-after': String(retryAfter) }, body }
    : { status, body };
}

/** {@link httpErrorOf}'s answer: what to send to the client, and nothing else. */
export interface HttpError {
  /** From the error catalog: e.g. 400, 404, 429, 503; 500 for anything unknown. */
  readonly status: number;
  /** `retry-after` (seconds) on every time-based refusal (429, 503 with a wait). */
  readonly headers: { readonly 'retry-after'?: string };
  /** `{ error: { code, message, retryAfter?, attemptsLeft?, scope? } }`: never `cause`. */
  readonly body: ErrorBody;
}

/**
 * Turns a failure into a client-safe HTTP answer, the same one the built-in routes send:
 * the status from the error catalog (429 and 503 stay 429 and 503), a body with the code and
 * a message (the catalog's own for 5xx; phone-like digits redacted) but never the `cause`
 * (a driver's or provider's error, for your logs only), and `Retry-After` when waiting helps.
 * Anything that is not a {@link VerifyError} (a thrown exception) becomes a 500
 * `internal_error` that says nothing about it.
 *
 * @example
 * ```ts
 * const r = await verifier.start({ phone });
 * if (r.isErr()) {
 *   const { status, headers, body } = httpErrorOf(r.error);
 *   return res.status(status).set(headers).json(body);
 * }
 * ```
 */
export function httpErrorOf(error: unknown): HttpError {
  const isVerifyError =
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string';
  // An unknown code (a thrown Error's `code`, or none) maps to 500 `internal_error`.
  const r = errorResponse(
    isVerifyError ? (error as VerifyError) : ({ code: '', message: '' } as unknown as VerifyError),
  );
  const retryAfter = r.headers?.['retry-after'];
  return {
    status: r.status,
    headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
    body: r.body as ErrorBody,
  };
}

/**
 * Maps a framework's body-reading failure (by the HTTP status it carries) to a catalog
 * error: 413 `payload_too_large`, 415 `unsupported_media_type`, any other 4xx
 * `invalid_request`. Returns undefined for anything else (not ours: the app's error
 * handler gets it). Framework messages are not forwarded: they can quote the input.
 */
export function bodyError(status: unknown, message?: string): VerifyError | undefined {
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (status === 413) return verifyError('payload_too_large');
  if (status === 415) return verifyError('unsupported_media_type');
  return verifyError('invalid_request', {
    message: message ?? 'The request body is not valid JSON.',
  });
}
