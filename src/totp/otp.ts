/**
 * One-time passwords: RFC 4226 HOTP codes (a TOTP code is the HOTP code of the RFC 6238
 * time step, T0 = 0), base32 secrets (./base32.ts) and `otpauth://` URIs, over phoneproof's
 * synchronous HMAC (../crypto: native on Node, noble elsewhere), so codes can be computed
 * inside a store transition. Codes, secrets and URIs are the ones otplib 13 produced
 * (test/property/otp-otplib.test.ts). Pure computation, no I/O. @internal
 * @module
 */

import { hmac } from '../crypto';
import { decodeBase32, encodeBase32 } from './base32';
import { stepAt, TOTP_DIGITS, type TotpAlgorithm } from './state';

/** The code parameters an enrollment fixes. */
export interface OtpParams {
  readonly algorithm: TotpAlgorithm;
  readonly digits: number;
  /** Seconds (TOTP only). */
  readonly period: number;
}

/** The counter as RFC 4226's 8-byte big-endian moving factor. */
function counterBytes(counter: number): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, Math.floor(counter / 2 ** 32));
  view.setUint32(4, counter >>> 0);
  return bytes;
}

/**
 * RFC 4226 HOTP: the code for `counter` (HMAC, dynamic truncation, `digits` decimal digits).
 * Throws a RangeError only on invalid parameters: a secret outside 16-64 bytes (otplib's
 * guardrail), a counter that is not a non-negative safe integer, digits outside 6-8.
 */
export function hotp(
  secret: Uint8Array,
  counter: number,
  p: Pick<OtpParams, 'algorithm' | 'digits'>,
): string {
  if (secret.length < 16 || secret.length > 64) {
    throw new RangeError(`phoneproof: HOTP secret of ${secret.length} bytes (16 to 64 allowed)`);
  }
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new RangeError(`phoneproof: HOTP counter ${counter} is not a non-negative integer`);
  }
  if (!Number.isInteger(p.digits) || p.digits < TOTP_DIGITS.min || p.digits > TOTP_DIGITS.max) {
    throw new RangeError(
      `phoneproof: HOTP digits ${p.digits} (${TOTP_DIGITS.min} to ${TOTP_DIGITS.max} allowed)`,
    );
  }
  const mac = hmac(p.algorithm, secret, counterBytes(counter));
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary =
    ((mac[offset]! & 0x7f) << 24) |
    (mac[offset + 1]! << 16) |
    (mac[offset + 2]! << 8) |
    mac[offset + 3]!;
  return String(binary % 10 ** p.digits).padStart(p.digits, '0');
}

/** RFC 6238 TOTP (T0 = 0): the code for time step `step`. */
export function totpAtStep(secret: Uint8Array, step: number, p: OtpParams): string {
  return hotp(secret, step, p);
}

/** RFC 6238 TOTP (T0 = 0): the code valid at `epochMs`. */
export function totpAt(secret: Uint8Array, epochMs: number, p: OtpParams): string {
  return totpAtStep(secret, stepAt(epochMs, p.period), p);
}

/** Base32 (RFC 4648, upper case, no padding), as authenticator apps expect. */
export function toBase32(bytes: Uint8Array): string {
  return encodeBase32(bytes);
}

/**
 * Decodes a base32 secret typed or pasted by a person: case, spaces, dashes and padding
 * are ignored. Undefined when it is not base32.
 */
export function fromBase32(text: string): Uint8Array | undefined {
  const clean = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  return clean.length === 0 ? undefined : decodeBase32(clean);
}

/**
 * The `otpauth://totp/...` URI authenticator apps scan (Key Uri Format): label
 * `issuer:account` (each part percent-encoded), then `secret`, `issuer`, and `algorithm`
 * (upper case), `digits`, `period` only when they differ from the defaults SHA1, 6, 30.
 */
export function otpauthUri(
  secretBase32: string,
  issuer: string,
  accountName: string,
  p: OtpParams,
): string {
  const label = (issuer ? `${issuer}:${accountName}` : accountName)
    .split(':')
    .map(encodeURIComponent)
    .join(':');
  const params: string[] = [];
  if (secretBase32) params.push(`secret=${encodeURIComponent(secretBase32)}`);
  if (issuer) params.push(`issuer=${encodeURIComponent(issuer)}`);
  if (p.algorithm !== 'sha1') params.push(`algorithm=${p.algorithm.toUpperCase()}`);
  if (p.digits !== 6) params.push(`digits=${p.digits}`);
  if (p.period !== 30) params.push(`period=${p.period}`);
  return `otpauth://totp/${label}?${params.join('&')}`;
}
