/**
 * The per-number bound on inbound keyword changes, pure: one Store record per phone holds
 * the times of its recent keyword opt-ins and the provider ids of its recent keyword
 * messages. A repeated message id (a provider retry, a replay) changes nothing; beyond
 * `max` keyword opt-ins in `windowMs` a START is ignored without writing. Opt-outs are
 * never refused (STOP is always honoured), and since an opt-out after an opt-out writes
 * nothing, a phone's ledger grows by at most 2 × `max` + 1 entries per window. @internal
 * @module
 */
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

function decode(raw: string | undefined): InboundRecord {
  if (raw === undefined) return { v: 1, t: [], m: [] };
  try {
    const r = JSON.parse(raw) as Partial<InboundRecord>;
    return {
      v: 1,
      t: Array.isArray(r.t) ? r.t.filter((x) => typeof x === 'number') : [],
      m: Array.isArray(r.m) ? r.m.filter((x) => typeof x === 'string') : [],
    };
  } catch {
    return { v: 1, t: [], m: [] };
  }
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
    if (messageId !== undefined && r.m.includes(messageId)) return { result: 'duplicate' };
    const t = r.t.filter((x) => x > at - limit.windowMs && x <= at);
    if (optIn && t.length >= limit.max) return { result: 'limited' };
    const m = messageId === undefined ? r.m : [...r.m, messageId].slice(-IDS_KEPT);
    const next: InboundRecord = { v: 1, t: optIn ? [...t, at] : t, m };
    return {
      result: 'proceed',
      write: { value: JSON.stringify(next), ttlMs: Math.max(limit.windowMs, DEDUP_MS) },
    };
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
