/**
 * Verification policy: the limits every decision is made against, with defaults and
 * validation (misconfiguration throws once, at construction).
 * @module
 */
import { ALPHANUMERIC_ALPHABET, NUMERIC_ALPHABET } from '../codes';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A rolling send window: at most `max` sends to one phone within `windowMs`. */
export interface SendWindow {
  readonly windowMs: number;
  readonly max: number;
}

/** Lockout after repeated failed verifications (ASP.NET Identity's AccessFailedCount). */
export interface LockoutPolicy {
  /** Failed verifications that lock the phone (default 3). */
  readonly threshold: number;
  /** First lock's length (default 15 min). */
  readonly durationMs: number;
  /** Each further lock lasts `factor` times the previous one (default 2). */
  readonly factor: number;
  /** Longest lock (default 24 h). */
  readonly maxDurationMs: number;
  /** Failure count and lock escalation are forgotten this long after the last failure (default 24 h). */
  readonly forgetAfterMs: number;
  /**
   * Distinct requester keys whose failed verifications lock the whole phone (default 4).
   * Below that, `threshold` failures lock only the requester key that failed.
   */
  readonly requesters: number;
}

/** The fully resolved policy. All durations in milliseconds. */
export interface Policy {
  readonly codeLength: number;
  readonly alphabet: string;
  /** How long a code stays valid (default 10 min). */
  readonly codeTtlMs: number;
  /** Checks evaluated per verification (default 5). */
  readonly maxChecks: number;
  /** Sends per verification, the first included (default 5). */
  readonly maxSends: number;
  /** Cooldown after the first send (default 30 s). */
  readonly resendCooldownMs: number;
  /** Each further cooldown is `factor` times the previous one (default 2). */
  readonly resendCooldownFactor: number;
  /** Longest cooldown (default 5 min). */
  readonly maxResendCooldownMs: number;
  /** Per-phone send windows (default 5 per hour and 10 per day). */
  readonly sendWindows: readonly SendWindow[];
  /**
   * Each requester key's share of a phone's sends (default 3 per day), so
   * that one key cannot fill the phone's windows for others. Sends of a verification its
   * requester gets approved are given back. Calls without a context are not held to it.
   */
  readonly requesterSendWindows: readonly SendWindow[];
  /** `false` disables lockout. */
  readonly lockout: LockoutPolicy | false;
  /** How long a finished verification stays visible to `status` (default: the code TTL). */
  readonly retentionMs: number;
  /** Most verifications remembered per phone (default 10). */
  readonly maxVerificationsPerPhone: number;
}

/** What an application may pass: every field optional. */
export interface PolicyOptions {
  readonly codeLength?: number;
  /** `numeric` (default), `alphanumeric` (no look-alikes) or an explicit alphabet. */
  readonly alphabet?: 'numeric' | 'alphanumeric' | (string & {});
  readonly codeTtlMs?: number;
  readonly maxChecks?: number;
  readonly maxSends?: number;
  readonly resendCooldownMs?: number;
  readonly resendCooldownFactor?: number;
  readonly maxResendCooldownMs?: number;
  readonly sendWindows?: readonly SendWindow[];
  readonly requesterSendWindows?: readonly SendWindow[];
  readonly lockout?: Partial<LockoutPolicy> | false;
  readonly retentionMs?: number;
  readonly maxVerificationsPerPhone?: number;
}

export const defaultLockout: LockoutPolicy = {
  threshold: 3,
  durationMs: 15 * MINUTE,
  factor: 2,
  maxDurationMs: DAY,
  forgetAfterMs: DAY,
  requesters: 4,
};

export const defaultPolicy: Policy = {
  codeLength: 6,
  alphabet: NUMERIC_ALPHABET,
  codeTtlMs: 10 * MINUTE,
  maxChecks: 5,
  maxSends: 5,
  resendCooldownMs: 30_000,
  resendCooldownFactor: 2,
  maxResendCooldownMs: 5 * MINUTE,
  sendWindows: [
    { windowMs: HOUR, max: 5 },
    { windowMs: DAY, max: 10 },
  ],
  requesterSendWindows: [{ windowMs: DAY, max: 3 }],
  lockout: defaultLockout,
  retentionMs: 10 * MINUTE,
  maxVerificationsPerPhone: 10,
};

function fail(message: string): never {
  throw new TypeError(`phoneproof: policy.${message}`);
}

function int(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be an integer from ${min} to ${max} (got ${String(value)}).`);
  }
  return value;
}

function duration(name: string, value: number, min = 1): number {
  if (!Number.isFinite(value) || value < min || value > 366 * DAY) {
    fail(`${name} must be a duration in milliseconds, at least ${min} (got ${String(value)}).`);
  }
  return value;
}

function factor(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 1 || value > 100) {
    fail(`${name} must be a number from 1 to 100 (got ${String(value)}).`);
  }
  return value;
}

function resolveAlphabet(a: PolicyOptions['alphabet']): string {
  if (a === undefined || a === 'numeric') return NUMERIC_ALPHABET;
  if (a === 'alphanumeric') return ALPHANUMERIC_ALPHABET;
  const chars = [...a];
  if (chars.length < 2 || chars.length > 64 || new Set(chars).size !== chars.length) {
    fail('alphabet must have 2 to 64 distinct characters.');
  }
  if (!/^[0-9A-Z]+$/.test(a)) fail('alphabet may only hold digits and upper-case letters.');
  return a;
}

/** Merges options over the defaults and validates the result; throws on misconfiguration. */
export function resolvePolicy(options: PolicyOptions = {}): Policy {
  const d = defaultPolicy;
  const codeTtlMs = duration('codeTtlMs', options.codeTtlMs ?? d.codeTtlMs, 10_000);
  const lockout =
    options.lockout === false
      ? false
      : (() => {
          const l = { ...defaultLockout, ...(options.lockout ?? {}) };
          return {
            threshold: int('lockout.threshold', l.threshold, 1, 1000),
            durationMs: duration('lockout.durationMs', l.durationMs),
            factor: factor('lockout.factor', l.factor),
            maxDurationMs: duration('lockout.maxDurationMs', l.maxDurationMs),
            forgetAfterMs: duration('lockout.forgetAfterMs', l.forgetAfterMs),
            requesters: int('lockout.requesters', l.requesters, 1, 1000),
          };
        })();
  const windows = (name: string, list: readonly SendWindow[]) => {
    if (!Array.isArray(list)) fail(`${name} must be an array.`);
    list.forEach((w, i) => {
      duration(`${name}[${i}].windowMs`, w.windowMs);
      int(`${name}[${i}].max`, w.max, 1, 1_000_000);
    });
    return list.map((w) => ({ windowMs: w.windowMs, max: w.max }));
  };
  const sendWindows = windows('sendWindows', options.sendWindows ?? d.sendWindows);
  const requesterSendWindows = windows(
    'requesterSendWindows',
    options.requesterSendWindows ?? d.requesterSendWindows,
  );
  const policy: Policy = {
    codeLength: int('codeLength', options.codeLength ?? d.codeLength, 4, 10),
    alphabet: resolveAlphabet(options.alphabet),
    codeTtlMs,
    maxChecks: int('maxChecks', options.maxChecks ?? d.maxChecks, 1, 100),
    maxSends: int('maxSends', options.maxSends ?? d.maxSends, 1, 100),
    resendCooldownMs: duration(
      'resendCooldownMs',
      options.resendCooldownMs ?? d.resendCooldownMs,
      0,
    ),
    resendCooldownFactor: factor(
      'resendCooldownFactor',
      options.resendCooldownFactor ?? d.resendCooldownFactor,
    ),
    maxResendCooldownMs: duration(
      'maxResendCooldownMs',
      options.maxResendCooldownMs ?? d.maxResendCooldownMs,
      0,
    ),
    sendWindows,
    requesterSendWindows,
    lockout,
    retentionMs: duration('retentionMs', options.retentionMs ?? codeTtlMs, 0),
    maxVerificationsPerPhone: int(
      'maxVerificationsPerPhone',
      options.maxVerificationsPerPhone ?? d.maxVerificationsPerPhone,
      1,
      100,
    ),
  };
  return policy;
}

/** Cooldown before the next send, given how many sends the verification has had (>= 1). */
export function resendCooldown(policy: Policy, sends: number): number {
  const grown = policy.resendCooldownMs * policy.resendCooldownFactor ** Math.max(0, sends - 1);
  return Math.min(policy.maxResendCooldownMs, grown);
}

/** Length of the `n`-th lock (n >= 1). */
export function lockDuration(lockout: LockoutPolicy, n: number): number {
  return Math.min(lockout.maxDurationMs, lockout.durationMs * lockout.factor ** Math.max(0, n - 1));
}
