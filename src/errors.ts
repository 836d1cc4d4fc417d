/**
 * The error catalog: every expected failure phoneproof returns is a value with one of these
 * stable `code`s. `docs/errors.md` documents each; HTTP adapters map them with `httpStatus`.
 * @module
 */

/** Every error code, with its HTTP status and a default message. */
export const errorCatalog = {
  invalid_phone: { status: 400, message: 'The phone number is not valid.' },
  country_not_allowed: { status: 400, message: 'Numbers from this country are not accepted.' },
  invalid_request: { status: 400, message: 'The request is not valid.' },
  not_found: { status: 404, message: 'No such verification, or it is no longer pending.' },
  expired: { status: 410, message: 'The code has expired. Request a new one.' },
  code_mismatch: { status: 400, message: 'The code is not correct.' },
  max_attempts_reached: {
    status: 429,
    message: 'Too many wrong codes for this verification. Start a new one.',
  },
  resend_too_soon: { status: 429, message: 'Wait before asking for another code.' },
  send_limit_reached: { status: 429, message: 'Too many codes were sent. Try again later.' },
  locked: { status: 429, message: 'Too many failed verifications. Try again later.' },
  opted_out: {
    status: 403,
    message:
      'This number has opted out of messages. It can opt back in by replying START or by giving consent again.',
  },
  consent_required: {
    status: 403,
    message: 'Consent to receive messages is required: send the current consent text and version.',
  },
  invalid_token: { status: 400, message: 'The authenticator or recovery code is not correct.' },
  totp_not_enrolled: { status: 404, message: 'No authenticator app is enrolled for this account.' },
  totp_already_enrolled: {
    status: 409,
    message: 'An authenticator app is already enrolled. Disable it before enrolling another.',
  },
  qr_unavailable: {
    status: 500,
    message: 'QR codes need the optional `qrcode` package (npm install qrcode), or set totp.qr.',
  },
  proof_invalid: { status: 401, message: 'The proof token is not valid.' },
  proof_expired: { status: 401, message: 'The proof token has expired.' },
  proof_used: { status: 409, message: 'The proof token has already been used.' },
  proof_revoked: {
    status: 401,
    message: 'The proof token was revoked (the account or phone security stamp changed).',
  },
  forbidden: { status: 403, message: 'This request is not allowed.' },
  signature_invalid: { status: 401, message: 'The request signature is missing or not valid.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'The request body must be JSON.' },
  number_type_not_allowed: {
    status: 400,
    message: 'Codes cannot be sent to this kind of number (for example premium-rate).',
  },
  rate_limited: { status: 429, message: 'Too many requests. Try again later.' },
  destination_paused: {
    status: 429,
    message: 'Messages to this destination are paused after unusual activity. Try again later.',
  },
  budget_exceeded: {
    status: 503,
    message: 'The message budget is spent for now. Try again later.',
  },
  idempotency_conflict: {
    status: 409,
    message: 'This idempotency key was already used with different parameters.',
  },
  delivery_failed: { status: 502, message: 'The message could not be delivered.' },
  store_unavailable: {
    status: 503,
    message: 'The verification store is unavailable. Try again shortly.',
  },
  store_corrupt: {
    status: 500,
    message: 'The stored record is not a phoneproof record (corrupted or foreign data).',
  },
} as const satisfies Record<string, { status: number; message: string }>;

/** A stable error code from the catalog. */
export type ErrorCode = keyof typeof errorCatalog;

/** Every catalog code, for iteration (docs, HTTP mappings, tests). */
export const errorCodes = Object.keys(errorCatalog) as ErrorCode[];

/** An expected failure: never thrown, always returned inside a `Result`. */
export interface VerifyError {
  readonly code: ErrorCode;
  readonly message: string;
  /** Seconds until retrying can succeed (time-based refusals only). */
  readonly retryAfter?: number;
  /** Checks left on this verification (`code_mismatch`). */
  readonly attemptsLeft?: number;
  /** Why a phone number was refused (`invalid_phone`). */
  readonly reason?: PhoneInvalidReason;
  /** What a limit refusal applies to: one phone, one requester, a prefix, a country, or all. */
  readonly scope?: ErrorScope;
  /** The underlying exception, for logs; never sent to a client. */
  readonly cause?: unknown;
}

/** The scope of a limit refusal (`VerifyError.scope`). */
export type ErrorScope = 'phone' | 'requester' | 'prefix' | 'country' | 'global';

/** Why `normalizePhone` refused an input. */
export type PhoneInvalidReason =
  | 'not_a_number'
  | 'too_short'
  | 'too_long'
  | 'invalid_country'
  | 'invalid_length'
  | 'invalid_number'
  | 'has_extension'
  | 'not_a_string';

/** Builds a `VerifyError` with the catalog's default message unless one is given. */
export function verifyError(
  code: ErrorCode,
  extra: Omit<Partial<VerifyError>, 'code'> = {},
): VerifyError {
  return { code, message: errorCatalog[code].message, ...extra };
}

/** The HTTP status a code maps to (shared by every HTTP adapter). */
export function httpStatus(code: ErrorCode): number {
  return errorCatalog[code].status;
}

/** Seconds until `until`, rounded up, at least 1. */
export function secondsUntil(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}
