/**
 * Authenticator options: defaults and validation (misconfiguration throws at construction).
 * @internal
 * @module
 */
import type { QrOption } from './qr';
import { TOTP_DIGITS, TOTP_PERIOD, type TotpAlgorithm } from './state';
import type { Tolerance } from './transitions';
import type { TotpOptions } from './types';

const MINUTE = 60_000;

export interface TotpConfig {
  readonly issuer: string;
  readonly algorithm: TotpAlgorithm;
  readonly digits: number;
  readonly period: number;
  readonly tolerance: Tolerance;
  readonly secretBytes: number;
  readonly qr: QrOption;
  readonly enrollmentTtlMs: number;
  readonly challengeTtlMs: number;
  readonly recoveryCodes: number;
}

function fail(message: string): never {
  throw new TypeError(`phoneproof: totp.${message}`);
}

function int(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be an integer from ${min} to ${max} (got ${String(value)}).`);
  }
  return value;
}

/** Merges options over the defaults; throws on misconfiguration. */
export function resolveTotpConfig(options: TotpOptions | undefined, appName: string): TotpConfig {
  const o = options ?? {};
  if (typeof o !== 'object' || o === null) fail('must be an options object.');
  const issuer = o.issuer ?? appName;
  if (
    typeof issuer !== 'string' ||
    issuer.length === 0 ||
    issuer.length > 64 ||
    issuer.includes(':')
  ) {
    fail('issuer must be 1-64 characters without ":".');
  }
  const algorithm = o.algorithm ?? 'sha1';
  if (algorithm !== 'sha1' && algorithm !== 'sha256' && algorithm !== 'sha512') {
    fail('algorithm must be "sha1", "sha256" or "sha512".');
  }
  const qr = o.qr ?? 'svg';
  if (qr !== 'svg' && qr !== 'dataUrl' && qr !== false && typeof qr !== 'function') {
    fail('qr must be "svg", "dataUrl", false or a function.');
  }
  return {
    issuer,
    algorithm,
    digits: int('digits', o.digits ?? 6, TOTP_DIGITS.min, TOTP_DIGITS.max),
    period: int('period', o.period ?? 30, TOTP_PERIOD.min, TOTP_PERIOD.max),
    tolerance: {
      past: int('tolerance.past', o.tolerance?.past ?? 1, 0, 10),
      future: int('tolerance.future', o.tolerance?.future ?? 0, 0, 10),
    },
    secretBytes: int('secretBytes', o.secretBytes ?? 20, 16, 64),
    qr,
    enrollmentTtlMs: int('enrollmentTtlMs', o.enrollmentTtlMs ?? 15 * MINUTE, MINUTE, 86_400_000),
    challengeTtlMs: int('challengeTtlMs', o.challengeTtlMs ?? 5 * MINUTE, 10_000, 86_400_000),
    recoveryCodes: int('recoveryCodes', o.recoveryCodes ?? 10, 0, 50),
  };
}
