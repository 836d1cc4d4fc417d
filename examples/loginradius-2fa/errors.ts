/**
 * LoginRadius-style error bodies `{ ErrorCode, Message, Description }` for phoneproof's
 * refusals. 908 and 901 are the numbers LoginRadius documents for a malformed parameter and a
 * wrong API key, 7909 its internal error; the 91xx numbers are this example's own.
 * @module
 */
import { httpStatus, type VerifyError } from '../../src/index';

export interface LoginRadiusError {
  readonly ErrorCode: number;
  readonly Message: string;
  readonly Description: string;
}

export interface ErrorReply {
  readonly status: number;
  readonly body: LoginRadiusError;
  readonly retryAfter?: number;
}

const NUMBERS: Readonly<Record<string, number>> = {
  invalid_request: 908,
  invalid_phone: 908,
  code_mismatch: 9101,
  expired: 9102,
  not_found: 9103,
  max_attempts_reached: 9104,
  locked: 9105,
  resend_too_soon: 9106,
  send_limit_reached: 9107,
  rate_limited: 9108,
  opted_out: 9109,
  delivery_failed: 9110,
  destination_paused: 9111,
  store_unavailable: 7909,
  store_corrupt: 7909,
};

/** A required query parameter is missing: LoginRadius's own 908. */
export function missingParameter(name: string): ErrorReply {
  return {
    status: 400,
    body: {
      ErrorCode: 908,
      Message: 'A parameter is not formatted correctly',
      Description: `The ${name} is a required parameter.`,
    },
  };
}

export const unauthorizedKey: ErrorReply = {
  status: 401,
  body: {
    ErrorCode: 901,
    Message: 'The API key is unauthorized',
    Description:
      'The provided LoginRadius API key is invalid or is not authorized, please use a valid or authorized LoginRadius API key or check the API key for your LoginRadius account.',
  },
};

/** A phoneproof refusal in LoginRadius's error shape. */
export function refusal(e: VerifyError): ErrorReply {
  const internal = e.code === 'store_unavailable' || e.code === 'store_corrupt';
  const details = [
    e.attemptsLeft !== undefined ? `Attempts left: ${e.attemptsLeft}.` : '',
    e.retryAfter !== undefined ? `Retry after ${e.retryAfter} s.` : '',
  ].filter(Boolean);
  return {
    status: httpStatus(e.code),
    body: {
      ErrorCode: NUMBERS[e.code] ?? 9199,
      Message: internal ? 'Operation failed due to an internal error.' : e.message,
      Description: [`phoneproof: ${e.code}.`, ...details].join(' '),
    },
    ...(e.retryAfter !== undefined ? { retryAfter: e.retryAfter } : {}),
  };
}
