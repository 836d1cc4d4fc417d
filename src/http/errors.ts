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
