/**
 * Validation of operation inputs coming from untrusted callers. Never throws. @internal
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';
import { CHANNELS, type Channel, isChannel } from '../ports/sender';

export const DEFAULT_PURPOSE = 'verify';
const PURPOSE = /^[A-Za-z0-9_.:-]{1,64}$/;
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/;
const TEMPLATE = /^[A-Za-z0-9_.:-]{1,64}$/;

export function bad(message: string): Result<never, VerifyError> {
  return err(verifyError('invalid_request', { message }));
}

/** The input must be a plain object. */
/**
 * Marks the resend `verifier.delivery` makes for an automatic channel fallback. A symbol, so
 * no request body (JSON, a form) can carry it. @internal
 */
export const FALLBACK_RESEND: unique symbol = Symbol('phoneproof.fallbackResend');

export function objectInput(input: unknown): Result<Record<string, unknown>, VerifyError> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return bad('The request must be an object.');
  }
  return ok(input as Record<string, unknown>);
}

export function channelOf(
  x: unknown,
  fallback: Channel | undefined,
): Result<Channel | undefined, VerifyError> {
  if (x === undefined) return ok(fallback);
  if (isChannel(x)) return ok(x);
  return bad(`\`channel\` must be one of ${CHANNELS.map((c) => `"${c}"`).join(', ')}.`);
}

export function purposeOf(x: unknown): Result<string, VerifyError> {
  if (x === undefined) return ok(DEFAULT_PURPOSE);
  if (typeof x === 'string' && PURPOSE.test(x)) return ok(x);
  return bad('`purpose` must be 1-64 letters, digits or _.:-');
}

export function localeOf(x: unknown, fallback: string): Result<string, VerifyError> {
  if (x === undefined) return ok(fallback);
  if (typeof x === 'string' && LOCALE.test(x)) return ok(x);
  return bad('`locale` must be a BCP 47 tag such as "en" or "pt-BR".');
}

export function templateOf(x: unknown): Result<string | undefined, VerifyError> {
  if (x === undefined) return ok(undefined);
  if (typeof x === 'string' && TEMPLATE.test(x)) return ok(x);
  return bad('`template` must be 1-64 letters, digits or _.:-');
}

// Verification ids are validated and opened by `openId` (ids.ts).
