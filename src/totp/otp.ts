/**
 * One-time passwords through otplib 13's functional API: RFC 4226 HOTP codes (a TOTP code
 * is the HOTP code of the time step), base32 secrets, `otpauth://` URIs. otplib's crypto
 * port is filled with phoneproof's synchronous HMAC (../crypto: native on Node, noble
 * elsewhere), so codes can be computed inside a store transition. Pure computation, no I/O. @internal
 * @module
 */

import { type CryptoPlugin, generateSync, generateURI, ScureBase32Plugin } from 'otplib';
import { hmac, randomBytes, timingSafeEqual } from '../crypto';
import { stepAt, type TotpAlgorithm } from './state';

const HASHES: Record<string, TotpAlgorithm> = { sha1: 'sha1', sha256: 'sha256', sha512: 'sha512' };

/** otplib's crypto port over ../crypto. */
export const otpCrypto: CryptoPlugin = {
  name: 'phoneproof',
  algorithms: Object.values(HASHES),
  hmac(algorithm, key, data) {
    const name = HASHES[String(algorithm).toLowerCase().replace(/[-_]/g, '')];
    if (!name) throw new TypeError(`phoneproof: unsupported HMAC algorithm ${String(algorithm)}`);
    return new Uint8Array(hmac(name, key, data));
  },
  randomBytes: (length) => randomBytes(length),
  constantTimeEqual: (a, b) => timingSafeEqual(a, b),
};

const base32Plugin = new ScureBase32Plugin();

/** The code parameters an enrollment fixes. */
export interface OtpParams {
  readonly algorithm: TotpAlgorithm;
  readonly digits: number;
  /** Seconds (TOTP only). */
  readonly period: number;
}

/** RFC 4226 HOTP: the code for `counter`. Throws only on invalid parameters. */
export function hotp(
  secret: Uint8Array,
  counter: number,
  p: Pick<OtpParams, 'algorithm' | 'digits'>,
): string {
  return generateSync({
    strategy: 'hotp',
    secret,
    counter,
    algorithm: p.algorithm,
    digits: p.digits,
    crypto: otpCrypto,
  });
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
  return base32Plugin.encode(bytes, { padding: false });
}

/**
 * Decodes a base32 secret typed or pasted by a person: case, spaces, dashes and padding
 * are ignored. Undefined when it is not base32.
 */
export function fromBase32(text: string): Uint8Array | undefined {
  const clean = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  if (clean.length === 0 || !/^[A-Z2-7]+$/.test(clean)) return undefined;
  try {
    return base32Plugin.decode(clean);
  } catch {
    return undefined;
  }
}

/** The `otpauth://totp/...` URI authenticator apps scan. */
export function otpauthUri(
  secretBase32: string,
  issuer: string,
  accountName: string,
  p: OtpParams,
): string {
  return generateURI({
    strategy: 'totp',
    issuer,
    label: accountName,
    secret: secretBase32,
    algorithm: p.algorithm,
    digits: p.digits,
    period: p.period,
  });
}
