/**
 * The abuse budgets' store records and their (de)serialization. Each is a small JSON value
 * tagged with its kind; a value that is not one of ours raises `CorruptRecordError`, which
 * the verifier reports as `store_corrupt`. @internal
 * @module
 */
import { CorruptRecordError } from '../core/state';
import type { ErrorCode, ErrorScope } from '../errors';
import type { StoreWrite, Transition } from '../ports/store';
import { Recent } from '../recent';
import type { Buckets, DistinctLog } from './window';

/** Budgets of one requester key (IP group, device, user). */
export interface RequesterRecord {
  readonly v: 1;
  readonly k: 'req';
  /** Distinct destinations (phone tags) with their last send time. */
  readonly d: DistinctLog;
  /** Sends, one bucket list per configured limit. */
  readonly s: readonly Buckets[];
  /** Checks, one bucket list per configured limit. */
  readonly c: readonly Buckets[];
}

/** Unverified numbers recently messaged in one prefix. */
export interface PrefixRecord {
  readonly v: 1;
  readonly k: 'pfx';
  readonly d: DistinctLog;
}

/** Messages to one country in the rolling hour. */
export interface CountryRecord {
  readonly v: 1;
  readonly k: 'cc';
  readonly n: Buckets;
}

/** The global budget: messages and cost (millionths) in the rolling day. */
export interface GlobalRecord {
  readonly v: 1;
  readonly k: 'global';
  readonly n: Buckets;
  readonly c: Buckets;
  /** When a budget warning was last published, per unit (0: never). */
  readonly wn: number;
  readonly wc: number;
}

/** The conversion guard of one prefix or country: a small circuit breaker. */
export interface ConversionRecord {
  readonly v: 1;
  readonly k: 'conv';
  /** `[bucketStart, verifications started, approvals]`, ascending. */
  readonly b: ReadonlyArray<readonly [number, number, number]>;
  /** End of the current pause (0: none). */
  readonly until: number;
  /** Consecutive pauses not yet cleared by a healthy sample (drives pause growth and probing). */
  readonly pauses: number;
  /** When the last pause began (0: never). */
  readonly trippedAt: number;
  /**
   * Prefix records only, when a prefix limit has the guard's trailing digits: that limit's
   * unverified numbers (as `PrefixRecord.d`), kept here so that a start and an approval
   * update one record. Absent in records written before the merge (see `prefixGuardSend`).
   */
  readonly d?: DistinctLog;
  /**
   * Unconverted starts by requester: `[requesterTag + phoneTag, at]` (6 + 6 characters, see
   * `conversionRequester`), an approval removing its number's entries; the newest
   * `requesterCap` entries within the window, counted since the last pause. A pause needs
   * `minRequesters` distinct requesters among them. Absent when empty.
   */
  readonly u?: DistinctLog;
  /**
   * The requesters that tripped the current pauses (6-character tags, at most
   * `requesterCap`): they take no probe. Cleared when the guard closes. Absent when empty.
   */
  readonly ex?: readonly string[];
}

export type AbuseRecord =
  | RequesterRecord
  | PrefixRecord
  | CountryRecord
  | GlobalRecord
  | ConversionRecord;

/** A refusal decided by an abuse policy. */
export interface AbuseRefusal {
  readonly code: ErrorCode;
  readonly scope: ErrorScope;
  /** Absolute time (ms) at which retrying can succeed; omitted when waiting does not help. */
  readonly retryAt?: number;
}

/** Something an abuse policy observed, for the shell to publish. */
export type AbuseNotice =
  | {
      readonly type: 'budget_warning';
      readonly unit: 'messages' | 'cost';
      readonly used: number;
      readonly limit: number;
    }
  | {
      readonly type: 'paused';
      readonly scope: 'prefix' | 'country';
      readonly until: number;
      readonly sends: number;
      readonly approvals: number;
    };

/** The result of reserving room in one record. */
export interface Reservation {
  readonly refusal?: AbuseRefusal;
  /** Gives the room back when the operation is abandoned before a message leaves. */
  readonly undo?: Transition<void>;
  readonly notices?: readonly AbuseNotice[];
  /**
   * The refusal ranks with the prefix limits, not where its step runs (a merged prefix record
   * decides the conversion guard, which ranks first, and a prefix limit).
   */
  readonly late?: boolean;
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isBuckets = (x: unknown): x is Buckets =>
  Array.isArray(x) && x.every((b) => Array.isArray(b) && b.length === 2 && b.every(isNum));
const isLog = (x: unknown): x is DistinctLog =>
  Array.isArray(x) &&
  x.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && isNum(e[1]));

function valid(r: Record<string, unknown>): boolean {
  switch (r.k) {
    case 'req':
      return (
        isLog(r.d) &&
        Array.isArray(r.s) &&
        r.s.every(isBuckets) &&
        Array.isArray(r.c) &&
        r.c.every(isBuckets)
      );
    case 'pfx':
      return isLog(r.d);
    case 'cc':
      return isBuckets(r.n);
    case 'global':
      return isBuckets(r.n) && isBuckets(r.c) && isNum(r.wn) && isNum(r.wc);
    case 'conv':
      return (
        Array.isArray(r.b) &&
        r.b.every((b) => Array.isArray(b) && b.length === 3 && b.every(isNum)) &&
        isNum(r.until) &&
        isNum(r.pauses) &&
        isNum(r.trippedAt) &&
        (r.d === undefined || isLog(r.d)) &&
        (r.u === undefined || isLog(r.u)) &&
        (r.ex === undefined ||
          (Array.isArray(r.ex) && r.ex.every((t: unknown) => typeof t === 'string')))
      );
    default:
      return false;
  }
}

/**
 * Long records recently written or decoded, by their JSON text: decoding is a pure function
 * of the text, and the hot long records (a country's conversion buckets, up to a day of them)
 * are read back as the text this process just wrote. Records are never mutated (every
 * transition builds new ones). Short records are parsed again: keeping them costs more (they
 * outlive young-generation collections) than parsing them.
 */
const decoded = new Recent<AbuseRecord>(256);
const CACHED_LENGTH = 512;

/** Parses a record of kind `kind`; `undefined` (absent) gives `empty`. */
export function decodeRecord<R extends AbuseRecord>(
  raw: string | undefined,
  kind: R['k'],
  empty: R,
): R {
  if (raw === undefined) return empty;
  if (raw.length < CACHED_LENGTH) return parseRecord(raw, kind) as R;
  const hit = decoded.get(raw);
  if (hit !== undefined && hit.k === kind) return hit as R;
  const r = parseRecord(raw, kind);
  decoded.set(raw, r);
  return r as R;
}

function parseRecord(raw: string, kind: AbuseRecord['k']): AbuseRecord {
  let x: unknown;
  try {
    x = JSON.parse(raw);
  } catch {
    throw new CorruptRecordError('abuse record is not JSON');
  }
  if (typeof x !== 'object' || x === null)
    throw new CorruptRecordError('abuse record is not an object');
  const r = x as Record<string, unknown>;
  if (r.v !== 1 || r.k !== kind || !valid(r)) {
    throw new CorruptRecordError(`record is not a phoneproof ${kind} record`);
  }
  return r as unknown as AbuseRecord;
}

/** A tag as JSON: tags are base64url (no escaping), anything else goes through JSON. */
const tagJson = (t: string) => (/^[\w-]*$/.test(t) ? `"${t}"` : JSON.stringify(t));

/** A number as JSON (as `JSON.stringify` writes it: non-finite numbers become `null`). */
const numJson = (n: number) => (Number.isFinite(n) ? String(n) : 'null');

function logJson(d: DistinctLog): string {
  let out = '[';
  for (let i = 0; i < d.length; i += 1) {
    const [t, at] = d[i]!;
    out += `${i === 0 ? '' : ','}[${tagJson(t)},${numJson(at)}]`;
  }
  return `${out}]`;
}

const CONV_KEYS = ['v', 'k', 'b', 'until', 'pauses', 'trippedAt'];

/** A conversion record with our fields only, in the order `recordJson` writes them. */
function convKeysInOrder(r: ConversionRecord): boolean {
  const keys = Object.keys(r);
  const n =
    6 + (r.d === undefined ? 0 : 1) + (r.u === undefined ? 0 : 1) + (r.ex === undefined ? 0 : 1);
  if (keys.length !== n) return false;
  for (let i = 0; i < 6; i += 1) if (keys[i] !== CONV_KEYS[i]) return false;
  let i = 6;
  if (r.d !== undefined && keys[i++] !== 'd') return false;
  if (r.u !== undefined && keys[i++] !== 'u') return false;
  return r.ex === undefined || keys[i] === 'ex';
}

/**
 * `JSON.stringify(record)`, the same text, written by hand for the records every start and
 * approval rewrites (the prefix and conversion records): about twice as fast. Other records,
 * or a record with fields of its own (never written by this module), go through JSON.
 */
export function recordJson(r: AbuseRecord): string {
  if (r.k === 'pfx' && Object.keys(r).length === 3) {
    return `{"v":${numJson(r.v)},"k":"pfx","d":${logJson(r.d)}}`;
  }
  if (r.k === 'conv' && convKeysInOrder(r)) {
    let b = '[';
    for (let i = 0; i < r.b.length; i += 1) {
      const [s, n, a] = r.b[i]!;
      b += `${i === 0 ? '' : ','}[${numJson(s)},${numJson(n)},${numJson(a)}]`;
    }
    return (
      `{"v":${numJson(r.v)},"k":"conv","b":${b}],"until":${numJson(r.until)},` +
      `"pauses":${numJson(r.pauses)},"trippedAt":${numJson(r.trippedAt)}` +
      `${r.d === undefined ? '' : `,"d":${logJson(r.d)}`}` +
      `${r.u === undefined ? '' : `,"u":${logJson(r.u)}`}` +
      `${r.ex === undefined ? '' : `,"ex":[${r.ex.map(tagJson).join(',')}]`}}`
    );
  }
  return JSON.stringify(r);
}

/** The write for a record that must live `ttlMs` more (deleted when nothing is left). */
export function writeRecord(record: AbuseRecord, ttlMs: number): StoreWrite {
  if (!(ttlMs > 0)) return { delete: true };
  const value = recordJson(record);
  if (value.length >= CACHED_LENGTH) decoded.set(value, record);
  return { value, ttlMs: Math.ceil(ttlMs) };
}
