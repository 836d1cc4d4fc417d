/**
 * The abuse budgets' store records and their (de)serialization. Each is a small JSON value
 * tagged with its kind (shapes in ./record-kinds.ts); a value that is not one of ours raises
 * `CorruptRecordError`, which the verifier reports as `store_corrupt`. Long records are
 * remembered by their text; the hand-written JSON is in ./record-json.ts. @internal
 * @module
 */
import { CorruptRecordError } from '../core/state';
import type { StoreWrite } from '../ports/store';
import { Recent } from '../recent';
import { recordJson } from './record-json';
import type { AbuseRecord } from './record-kinds';
import type { Buckets, DistinctLog } from './window';

export { recordJson } from './record-json';
export type {
  AbuseRecord,
  ConversionRecord,
  CountryRecord,
  GlobalRecord,
  PrefixRecord,
  RequesterRecord,
} from './record-kinds';
export type { AbuseNotice, AbuseRefusal, Reservation } from './reservation';

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

/** The write for a record that must live `ttlMs` more (deleted when nothing is left). */
export function writeRecord(record: AbuseRecord, ttlMs: number): StoreWrite {
  if (!(ttlMs > 0)) return { delete: true };
  const value = recordJson(record);
  if (value.length >= CACHED_LENGTH) decoded.set(value, record);
  return { value, ttlMs: Math.ceil(ttlMs) };
}
