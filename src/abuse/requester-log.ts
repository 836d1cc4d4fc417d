/**
 * The conversion guard's requester log: who started the unconverted verifications of a
 * prefix or country (a requester's tag, then the number's), kept to a cap, and the list of
 * requesters excluded after a pause. Pure. @internal
 * @module
 */
import type { ResolvedConversion } from './options';
import { convKeysInOrder } from './record-json';
import type { ConversionRecord } from './records';
import { type DistinctLog, logAdd } from './window';

/** Characters of a requester's tag and of a number's tag in a requester-log entry. */
export const REQUESTER_TAG = 6;

/** Who starts a verification, for the guard: see `conversionRequester` in keys.ts. */
export interface Requester {
  /** The requester's tag (`REQUESTER_TAG` characters). */
  readonly req: string;
  /** The requester-log entry: the requester's tag, then the number's. */
  readonly entry: string;
}

/**
 * Entries kept in a record's requester log, and requesters in its excluded list: at least
 * 32, three times `minRequesters` for larger settings (at most 300 with its bound of 100).
 */
export const requesterCap = (c: ResolvedConversion) => Math.max(32, 3 * c.minRequesters);

/** The distinct requesters of a requester log. */
export function requestersOf(u: DistinctLog): Set<string> {
  const out = new Set<string>();
  for (const [e] of u) out.add(e.slice(0, REQUESTER_TAG));
  return out;
}

/** The record with its requester log and excluded list (each left out when empty). */
export function withRequesters(
  r: ConversionRecord,
  u: DistinctLog,
  ex: readonly string[],
): ConversionRecord {
  const out = recordWithout(r, 'u', 'ex');
  if (u.length > 0) out.u = u;
  if (ex.length > 0) out.ex = ex;
  return out;
}

/**
 * `withRequesters({ ...r, b }, u, ex)`: the record with new buckets, requester log and
 * excluded list. A record with our fields only, in their order (`convKeysInOrder`), is built
 * field by field, the same fields in the same order (a spread of it, then `recordWithout`,
 * cost about 1 µs on every start and approval); any other goes the general way.
 */
export function convWith(
  r: ConversionRecord,
  b: ConversionRecord['b'],
  u: DistinctLog,
  ex: readonly string[],
): ConversionRecord {
  if (!convKeysInOrder(r)) return withRequesters({ ...r, b }, u, ex);
  const out: { -readonly [K in keyof ConversionRecord]: ConversionRecord[K] } = {
    v: r.v,
    k: 'conv',
    b,
    until: r.until,
    pauses: r.pauses,
    trippedAt: r.trippedAt,
  };
  if (r.d !== undefined) out.d = r.d;
  if (u.length > 0) out.u = u;
  if (ex.length > 0) out.ex = ex;
  return out;
}

const OWN = { enumerable: true, writable: true, configurable: true } as const;

/**
 * A copy of a conversion record without up to three of its fields, its other own fields in
 * their order (as `const { a, b, ...rest } = r` gives, at a tenth of the cost: rest
 * destructuring takes V8's slow path, about 1 µs a record on every start and approval).
 */
export function recordWithout(
  r: ConversionRecord,
  a: keyof ConversionRecord,
  b: keyof ConversionRecord,
  c?: keyof ConversionRecord,
): { -readonly [K in keyof ConversionRecord]: ConversionRecord[K] } {
  const out: Record<string, unknown> = {};
  for (const k in r) {
    if (k === a || k === b || k === c || !Object.hasOwn(r, k)) continue;
    const value = (r as unknown as Record<string, unknown>)[k];
    // An own `__proto__` (JSON.parse makes one) stays an own field, as rest would copy it.
    if (k === '__proto__') Object.defineProperty(out, k, { value, ...OWN });
    else out[k] = value;
  }
  return out as unknown as ConversionRecord;
}

/** A start's entry added to a requester log, the oldest entries beyond the cap dropped. */
export function addEntry(u: DistinctLog, who: Requester, now: number, c: ResolvedConversion) {
  const next = logAdd(u, who.entry, now);
  const cap = requesterCap(c);
  return next.length > cap ? next.slice(next.length - cap) : next;
}

/** Forgets a number's entries (its verification converted). */
export function removeNumber(u: DistinctLog | undefined, phone: string): DistinctLog {
  if (u === undefined) return [];
  return u.some(([e]) => e.slice(REQUESTER_TAG) === phone)
    ? u.filter(([e]) => e.slice(REQUESTER_TAG) !== phone)
    : u;
}
