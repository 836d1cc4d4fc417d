/**
 * The per-subject authenticator (TOTP) record and its (de)serialization. It holds the
 * shared secret only sealed (AES-256-GCM), recovery codes only as keyed digests, the replay
 * guard (the last accepted time step) and the subject's failure budget and lock. It never
 * holds the subject itself: the store key is an HMAC of it. @internal
 * @module
 */
import { CorruptRecordError, parseRecord } from '../core/state';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** The code lengths `hotp` supports (options and stored enrollments alike). */
export const TOTP_DIGITS = { min: 6, max: 8 } as const;
/** The time steps, seconds, the options allow; a stored enrollment outside them is corrupt. */
export const TOTP_PERIOD = { min: 15, max: 300 } as const;

/** An authenticator app bound to the subject: pending until a first code confirms it. */
export interface TotpEnrollment {
  readonly status: 'pending' | 'active';
  /** The base32 secret, sealed under the verifier's secret (`seal`). */
  readonly sealed: string;
  readonly algorithm: TotpAlgorithm;
  readonly digits: number;
  /** Time step, seconds. */
  readonly period: number;
  readonly createdAt: number;
  /** When a first code confirmed it (0 while pending). */
  readonly confirmedAt: number;
  /** When a pending enrollment lapses (0 once active). */
  readonly expiresAt: number;
  /** Replay guard: time steps at or below this are never accepted again (-1: none yet). */
  readonly lastStep: number;
  /** Keyed digests of the unused recovery codes. */
  readonly recovery: readonly string[];
}

export interface TotpState {
  readonly v: 1;
  readonly enrollment: TotpEnrollment | null;
  /** Wrong codes since the last failure was registered (a failure every `maxChecks`). */
  readonly checks: number;
  /** Time of the last wrong code (0: none); `checks` are forgotten with failures. */
  readonly lastCheckAt: number;
  /** Failures since the last success, lock or forgetting (shared with recovery codes). */
  readonly failures: number;
  readonly locks: number;
  readonly lockedUntil: number;
  readonly lastFailureAt: number;
  /** Second-factor challenges issued at or before this time (ms) are no longer accepted. */
  readonly notBefore: number;
}

export const emptyTotpState: TotpState = {
  v: 1,
  enrollment: null,
  checks: 0,
  lastCheckAt: 0,
  failures: 0,
  locks: 0,
  lockedUntil: 0,
  lastFailureAt: 0,
  notBefore: 0,
};

export function encodeTotpState(state: TotpState): string {
  return JSON.stringify(state);
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const inRange = (x: unknown, range: { readonly min: number; readonly max: number }): boolean =>
  Number.isInteger(x) && (x as number) >= range.min && (x as number) <= range.max;

function validEnrollment(x: unknown): x is TotpEnrollment {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  return (
    (e.status === 'pending' || e.status === 'active') &&
    isStr(e.sealed) &&
    (e.algorithm === 'sha1' || e.algorithm === 'sha256' || e.algorithm === 'sha512') &&
    // The ranges the options allow: `hotp` throws outside them, which inside a store
    // transition would read as an unavailable store rather than a corrupt record.
    inRange(e.digits, TOTP_DIGITS) &&
    inRange(e.period, TOTP_PERIOD) &&
    isNum(e.createdAt) &&
    isNum(e.confirmedAt) &&
    isNum(e.expiresAt) &&
    isNum(e.lastStep) &&
    Array.isArray(e.recovery) &&
    e.recovery.every(isStr)
  );
}

/** Parses a stored record; `undefined` means no record. Throws `CorruptRecordError`. */
export function decodeTotpState(raw: string | undefined): TotpState {
  if (raw === undefined) return emptyTotpState;
  const s = parseRecord(raw);
  if (
    !(s.enrollment === null || validEnrollment(s.enrollment)) ||
    !isNum(s.checks) ||
    !isNum(s.lastCheckAt) ||
    !isNum(s.failures) ||
    !isNum(s.locks) ||
    !isNum(s.lockedUntil) ||
    !isNum(s.lastFailureAt) ||
    !isNum(s.notBefore)
  ) {
    throw new CorruptRecordError('record does not have the phoneproof authenticator shape');
  }
  return s as unknown as TotpState;
}

/** The time step (RFC 6238 `T`, with T0 = 0) that contains `epochMs`. */
export function stepAt(epochMs: number, period: number): number {
  return Math.floor(epochMs / (period * 1000));
}
