/**
 * The conversion guard's requester log: who started the unconverted verifications of a
 * prefix or country (a requester's tag, then the number's), kept to a cap, and the list of
 * requesters excluded after a pause. Pure. @internal
 * @module
 */
import type { ResolvedConversion } from './options';
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
  const { u: _u, ex: _ex, ...rest } = r;
  return { ...rest, ...(u.length > 0 ? { u } : {}), ...(ex.length > 0 ? { ex } : {}) };
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
