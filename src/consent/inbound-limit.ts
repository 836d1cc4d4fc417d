/**
 * The per-number bound on inbound keyword changes, pure: one Store record per phone holds
 * the times of its recent keyword opt-ins and the provider ids of its recent keyword
 * messages. A repeated message id (a provider retry, a replay) changes nothing; beyond
 * `max` keyword opt-ins in `windowMs` a START is ignored without writing. Opt-outs are
 * never refused (STOP is always honoured), and since an opt-out after an opt-out writes
 * nothing, a phone's ledger grows by at most 2 × `max` + 1 entries per window.
 *
 * Exact whatever order the writes land in: instances whose clocks differ, or a call that took
 * its time before a compare-and-set retry, may write an earlier time after a later one. Every
 * opt-in time newer than `at − windowMs` counts, including those later than `at`, and a time
 * is kept (in the record and by its TTL) for two windows, so a write landing up to a window
 * behind in time still sees every opt-in that counts for it (test/property/inbound-limit.test.ts,
 * test/adversary/inbound-limit-instances.test.ts). A record that cannot be read refuses an
 * opt-in (`CorruptRecordError`, `store_corrupt`) rather than restarting the count; an opt-out
 * is still honoured, without writing (the damaged record is left for the operator). @internal
 * @module
 */
import { CorruptRecordError } from '../core/state';
import type { ConsentEntry } from '../ports/consent-ledger';
import type { StoreTransition } from '../ports/store';

/** `consent.inboundLimit`, resolved. */
export interface InboundLimit {
  readonly max: number;
  readonly windowMs: number;
}

export const DEFAULT_INBOUND_LIMIT: InboundLimit = { max: 5, windowMs: 86_400_000 };

/** Message ids remembered per phone (for deduplication). */
const IDS_KEPT = 32;
/** Ids are remembered at least this long: providers retry an unanswered webhook for 24 h. */
export const DEDUP_MS = 86_400_000;

interface InboundRecord {
  readonly v: 1;
  /** Times of keyword opt-ins, epoch ms. */
  readonly t: number[];
  /** Recent message ids, oldest first. */
  readonly m: string[];
}

export type InboundDecision = 'proceed' | 'duplicate' | 'limited';

export const inboundKey = (phoneKey: string) => `consent-in:${phoneKey}`;

const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isId = (x: unknown): x is string => typeof x === 'string';

/** The stored record (empty when there is none), or `undefined` when it cannot be read. */
function decode(raw: string | undefined): InboundRecord | undefined {
  if (raw === undefined) return { v: 1, t: [], m: [] };
  let x: Partial<InboundRecord> | null;
  try {
    x = JSON.parse(raw) as Partial<InboundRecord> | null;
  } catch {
    return undefined;
  }
  return typeof x === 'object' &&
    x !== null &&
    x.v === 1 &&
    Array.isArray(x.t) &&
    x.t.every(isTime) &&
    Array.isArray(x.m) &&
    x.m.every(isId)
    ? (x as InboundRecord)
    : undefined;
}

/**
 * Decides one keyword message and records it: `duplicate` when its id was seen, `limited`
 * for an opt-in beyond the limit, else `proceed` (an opt-in's time is counted).
 */
export function inboundTransition(
  limit: InboundLimit,
  at: number,
  optIn: boolean,
  messageId: string | undefined,
): (raw: string | undefined) => StoreTransition<InboundDecision> {
  return (raw) => {
    const r = decode(raw);
    if (r === undefined) {
      // Never a restarted count; but STOP is never refused: honoured, the record left as is.
      if (optIn) throw new CorruptRecordError('record is not a phoneproof inbound keyword record');
      return { result: 'proceed' };
    }
    if (messageId !== undefined && r.m.includes(messageId)) return { result: 'duplicate' };
    // Kept for two windows, counted for one: times later than `at` count too.
    const kept = r.t.filter((x) => x > at - 2 * limit.windowMs);
    let counted = 0;
    let newest = Number.NEGATIVE_INFINITY;
    for (const x of kept) {
      if (x > at - limit.windowMs) counted += 1;
      newest = Math.max(newest, x);
    }
    if (optIn && counted >= limit.max) return { result: 'limited' };
    const m = messageId === undefined ? r.m : [...r.m, messageId].slice(-IDS_KEPT);
    const t = optIn ? [...kept, at] : kept;
    if (optIn) newest = Math.max(newest, at);
    const ttlMs = Math.max(DEDUP_MS, newest + 2 * limit.windowMs - at);
    const next: InboundRecord = { v: 1, t, m };
    return { result: 'proceed', write: { value: JSON.stringify(next), ttlMs } };
  };
}

/**
 * A keyword message the message-id dedup can no longer catch (sent more than `DEDUP_MS`
 * before `at`) that predates the number's newest consent entry: a replay of a captured
 * message, which must not undo what was recorded since. A late genuine message with nothing
 * newer recorded still counts.
 */
export const staleKeyword = (
  last: ConsentEntry | undefined,
  sentAt: number | undefined,
  at: number,
): boolean =>
  sentAt !== undefined && at - sentAt > DEDUP_MS && last !== undefined && sentAt < last.at;
