/**
 * The per-phone state record and its (de)serialization. One record per phone holds the
 * send history, failure count, lock and recent verifications. It never holds the phone
 * number or a code: only a masked number, the number sealed with AES-GCM, and code digests.
 * @module
 */
import { isSendAttempt, type SendAttempt } from '../delivery/attempts';
import { MASK_CHAR } from '../phone';
import { type Channel, isChannel } from '../ports/sender';

export type VerificationStatus = 'pending' | 'approved' | 'canceled' | 'expired' | 'failed';

export interface VerificationState {
  /** The verification id (opaque token handed to the client). */
  readonly id: string;
  readonly purpose: string;
  readonly channel: Channel;
  /** HMAC digest of the current code, bound to id and purpose. */
  readonly digest: string;
  /** Masked destination for display. */
  readonly to: string;
  /** The E.164 number sealed under the verifier's secret (returned on approval). */
  readonly sealed: string;
  readonly createdAt: number;
  /** When the current code stops being accepted. */
  readonly expiresAt: number;
  /** Checks evaluated so far. */
  readonly checks: number;
  /** Messages sent so far (the first included). */
  readonly sends: number;
  readonly lastSendAt: number;
  readonly status: VerificationStatus;
  /** When the verification left `pending` (0 while pending). */
  readonly closedAt: number;
  /** Messages sent for it and their delivery status (absent in records written before). */
  readonly attempts?: readonly SendAttempt[];
  /**
   * The requester that started it: a short keyed hash of its requester key (`ANONYMOUS`,
   * the empty string, for calls without a context). Only that requester may check, resend,
   * cancel or supersede it. Absent in records written before: any requester may.
   */
  readonly by?: string;
}

/**
 * What one requester key did to a phone: its sends (for its share of the send windows),
 * its failed verifications and its own lock. Short field names: records hold several.
 */
export interface RequesterState {
  /** The requester's keyed hash (as `VerificationState.by`). */
  readonly k: string;
  /** Its send times within the longest requester send window, in the order the writes landed (not always time order). */
  readonly s: readonly number[];
  /** Its failed verifications since its last success, lock or forgetting. */
  readonly f: number;
  /** Its locks since its last success or forgetting. */
  readonly l: number;
  /** End of its lock; 0 when not locked. */
  readonly u: number;
  /** Time of its last failed verification; 0 when none. */
  readonly t: number;
}

/** The requester of calls made without a context (all of them share it). */
export const ANONYMOUS = '';

export interface PhoneState {
  readonly v: 1;
  /** Send times within the longest send window, in the order the writes landed (not always time order: readers take the newest by maximum). */
  readonly sends: readonly number[];
  /**
   * Failed verifications since the last success, lock or forgetting, of the anonymous
   * requester (and of records written before requesters were kept).
   */
  readonly failures: number;
  /** Locks since the last success or forgetting (drives lock growth). */
  readonly locks: number;
  /** End of the current lock; 0 when not locked. */
  readonly lockedUntil: number;
  /** Time of the last failed verification; 0 when none. */
  readonly lastFailureAt: number;
  /** Recent verifications, oldest first. */
  readonly verifications: readonly VerificationState[];
  /** Per requester key: sends, failures and lock (absent when none). */
  readonly requesters?: readonly RequesterState[];
  /**
   * The distinct requester keys with a failed verification since the phone's last lock,
   * success or forgetting; enough of them lock the whole phone (`lockout.requesters`).
   */
  readonly failers?: readonly string[];
}

export const emptyState: PhoneState = {
  v: 1,
  sends: [],
  failures: 0,
  locks: 0,
  lockedUntil: 0,
  lastFailureAt: 0,
  verifications: [],
};

/** Thrown by `decodeState` for a record that is not ours; the shell maps it to `store_corrupt`. */
export class CorruptRecordError extends Error {
  override readonly name = 'CorruptRecordError';
}

export function encodeState(state: PhoneState): string {
  const vs = state.verifications;
  let stored: VerificationState[] | undefined;
  for (let i = 0; i < vs.length; i += 1) {
    const v = vs[i]!;
    const to = storedMask(v.to);
    if (to === v.to) continue;
    stored ??= vs.slice();
    stored[i] = Object.assign({}, v, { to });
  }
  return JSON.stringify(stored ? Object.assign({}, state, { verifications: stored }) : state);
}

const DISPLAY_MASK = MASK_CHAR.charCodeAt(0);

/**
 * A masked number as records store it: `*` for each hidden digit. One character outside
 * Latin-1 (`•`) makes V8 hold the whole record JSON as a two-byte string, which is slower to
 * encode, to send and to compare (about a fifth of a cached check on Redis); the string is
 * built afresh from one-byte characters for that reason, not by `replaceAll`.
 */
function storedMask(to: string): string {
  if (!to.includes(MASK_CHAR)) return to;
  // A start and the check that follows store the same masked number: the last one converted.
  if (to === lastMask.display) return lastMask.stored;
  let out = '';
  for (let i = 0; i < to.length; i += 1) {
    const c = to.charCodeAt(i);
    if (c > 0xff && c !== DISPLAY_MASK) return to;
    out += c === DISPLAY_MASK ? '*' : to[i];
  }
  lastMask = { display: to, stored: out };
  return out;
}

let lastMask = { display: '', stored: '' };

/** A stored masked number as displayed (records written before the `*` form hold `•`). */
function displayMask(to: string): string {
  return to.includes('*') ? to.replaceAll('*', MASK_CHAR) : to;
}

const statuses = new Set(['pending', 'approved', 'canceled', 'expired', 'failed']);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isStr = (x: unknown): x is string => typeof x === 'string';

function validVerification(x: unknown): x is VerificationState {
  if (typeof x !== 'object' || x === null) return false;
  const v = x as Record<string, unknown>;
  return (
    isStr(v.id) &&
    isStr(v.purpose) &&
    isChannel(v.channel) &&
    isStr(v.digest) &&
    isStr(v.to) &&
    isStr(v.sealed) &&
    isNum(v.createdAt) &&
    isNum(v.expiresAt) &&
    isNum(v.checks) &&
    isNum(v.sends) &&
    isNum(v.lastSendAt) &&
    isStr(v.status) &&
    statuses.has(v.status) &&
    isNum(v.closedAt) &&
    (v.attempts === undefined || (Array.isArray(v.attempts) && v.attempts.every(isSendAttempt))) &&
    (v.by === undefined || isStr(v.by))
  );
}

function validRequester(x: unknown): x is RequesterState {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return (
    isStr(r.k) &&
    Array.isArray(r.s) &&
    r.s.every(isNum) &&
    isNum(r.f) &&
    isNum(r.l) &&
    isNum(r.u) &&
    isNum(r.t)
  );
}

/** Parses a stored JSON record of version 1 into its fields. Throws `CorruptRecordError`. @internal */
export function parseRecord(raw: string): Record<string, unknown> {
  let x: unknown;
  try {
    x = JSON.parse(raw);
  } catch {
    throw new CorruptRecordError('record is not JSON');
  }
  if (typeof x !== 'object' || x === null) throw new CorruptRecordError('record is not an object');
  const s = x as Record<string, unknown>;
  if (s.v !== 1) throw new CorruptRecordError('unknown record version');
  return s;
}

/** Parses a stored record; `undefined` means no record. Throws `CorruptRecordError`. */
export function decodeState(raw: string | undefined): PhoneState {
  if (raw === undefined) return emptyState;
  const s = parseRecord(raw);
  if (
    !Array.isArray(s.sends) ||
    !s.sends.every(isNum) ||
    !isNum(s.failures) ||
    !isNum(s.locks) ||
    !isNum(s.lockedUntil) ||
    !isNum(s.lastFailureAt) ||
    !Array.isArray(s.verifications) ||
    !s.verifications.every(validVerification) ||
    (s.requesters !== undefined &&
      (!Array.isArray(s.requesters) || !s.requesters.every(validRequester))) ||
    (s.failers !== undefined && (!Array.isArray(s.failers) || !s.failers.every(isStr)))
  ) {
    throw new CorruptRecordError('record does not have the phoneproof shape');
  }
  for (const v of s.verifications as Array<{ to: string }>) v.to = displayMask(v.to);
  return s as unknown as PhoneState;
}
