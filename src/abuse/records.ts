/**
 * The abuse budgets' store records and their (de)serialization. Each is a small JSON value
 * tagged with its kind (shapes in ./record-kinds.ts); a value that is not one of ours raises
 * `CorruptRecordError`, which the verifier reports as `store_corrupt`. The last record of
 * each key is remembered with its text (`RecordSlot`); the hand-written JSON is in
 * ./record-json.ts. @internal
 * @module
 */
import { CorruptRecordError } from '../core/state';
import type { StoreWrite } from '../ports/store';
import { Recent } from '../recent';
import { recordJson, reqKeysInOrder } from './record-json';
import type { AbuseRecord, RequesterRecord } from './record-kinds';
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
 * The record last decoded or written under one store key, with its text: a budget's
 * transitions, given the key (`slotOf`), find their record here when the store hands back
 * that text, which it does for the text this process wrote (the memory store the very
 * string, the other stores' caches too: see adapters/store-kit). Comparing the text is then
 * one pointer comparison, where a cache keyed by the text would hash every new text and
 * parsing it costs more than the rest of a budget check. Decoding is a pure function of the
 * text, so a slot only ever saves work: a text it does not hold is parsed. Records are
 * never mutated (every transition builds new ones; test/abuse/record-slots.test.ts runs
 * them over deep-frozen records). Comparing falls back to comparing the characters when the
 * store hands back an equal text that is another string (still exact).
 *
 * Memory: slots are per process (module level, shared by every verifier: decoding is a pure
 * function of the text, so nothing crosses between stores or tenants), at most
 * {@link SLOTS} keys, each holding a text of at most {@link SLOT_TEXT_MAX} characters
 * (longer records, such as a busy address's daily log, are parsed every time) and its
 * decoded record: a few megabytes at most (docs/security.md, "Process memory").
 */
export interface RecordSlot {
  text: string | undefined;
  record: AbuseRecord | undefined;
}

/**
 * Store keys with a slot, at most this many: when full, the sixteenth of the keys whose slots
 * were made first gives way at once (`Recent`; a hot key dropped so costs one parse to come
 * back).
 */
const SLOTS = 1024;
/** The longest text a slot keeps. */
const SLOT_TEXT_MAX = 2048;
const slots = new Recent<RecordSlot>(SLOTS);

/** The slot of store key `key` (`undefined` without a key: every decode parses). */
export function slotOf(key: string | undefined): RecordSlot | undefined {
  if (key === undefined) return undefined;
  let slot = slots.get(key);
  if (slot === undefined) {
    slot = { text: undefined, record: undefined };
    slots.set(key, slot);
  }
  return slot;
}

/**
 * Parses a record of kind `kind`; `undefined` (absent) gives `empty`. With the `slot` of the
 * record's key, the text last seen there is not parsed again.
 */
export function decodeRecord<R extends AbuseRecord>(
  raw: string | undefined,
  kind: R['k'],
  empty: R,
  slot?: RecordSlot,
): R {
  if (raw === undefined) return empty;
  if (slot === undefined) return parseRecord(raw, kind) as R;
  const known = slot.record;
  if (slot.text === raw && known !== undefined && known.k === kind) return known as R;
  const r = parseRecord(raw, kind);
  remember(slot, raw, r);
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

/**
 * The write for a record that must live `ttlMs` more (deleted when nothing is left); the
 * `slot` of its key remembers it (whether or not the write lands: a slot is keyed by text).
 */
export function writeRecord(record: AbuseRecord, ttlMs: number, slot?: RecordSlot): StoreWrite {
  if (!(ttlMs > 0)) return { delete: true };
  const value = recordJson(record);
  if (slot !== undefined) remember(slot, value, record);
  return { value, ttlMs: Math.ceil(ttlMs) };
}

/**
 * Keeps `text` and its `record` in `slot`, or empties it when the text is longer than
 * {@link SLOT_TEXT_MAX}. `recordJson` builds its text by concatenation, which V8 holds as a
 * tree of pieces several times the text's size; reading a character flattens it in place, so
 * the slot (and the memory store, which keeps the same string) holds one flat copy.
 */
function remember(slot: RecordSlot, text: string, record: AbuseRecord): void {
  if (text.length > SLOT_TEXT_MAX) {
    slot.text = undefined;
    slot.record = undefined;
    return;
  }
  text.charCodeAt(0);
  slot.text = text;
  slot.record = record;
}

/**
 * `r` with new logs and counters, built field by field (several times faster than a spread
 * on the hot path of every check), or spread when `r` has fields of another version, which
 * are kept.
 */
export const requesterWith = (
  r: RequesterRecord,
  d: DistinctLog,
  s: readonly Buckets[],
  c: readonly Buckets[],
): RequesterRecord => (reqKeysInOrder(r) ? { v: 1, k: 'req', d, s, c } : { ...r, d, s, c });
