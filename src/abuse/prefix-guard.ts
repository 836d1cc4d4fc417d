/**
 * A prefix's conversion guard and its unverified-numbers limit (same trailing digits) kept in
 * one record, so that a start and an approval update it once (see `./conversion` for the
 * guard, `./window` for the velocity log). Pure. @internal
 * @module
 */
import type { Transition } from '../ports/store';
import {
  bump,
  decideSend,
  empty,
  prune,
  REQUESTER_TAG,
  type Requester,
  removeNumber,
  ttl,
  undoCount,
} from './conversion';
import type { ResolvedConversion } from './options';
import { convKeysInOrder } from './record-json';
import {
  type ConversionRecord,
  decodeRecord,
  type Reservation,
  slotOf,
  writeRecord,
} from './records';
import { convWith, recordWithout } from './requester-log';
import type { PrefixLimit } from './types';
import {
  type DistinctLog,
  logAdd,
  logRemove,
  logRetryAt,
  logTtl,
  logUndo,
  pruneLog,
} from './window';

/**
 * The outcome of a transition over a merged prefix record: `legacy` when the record was
 * written by the previous layout (a conversion record without its velocity log) and must be
 * run again with the prefix's old velocity log (`pfx:<digits>:…`) folded in.
 */
export type Merged<T> = T | { readonly legacy: true };

/** The record's velocity log; `undefined` when it must first be folded in from the old record. */
function logOf(
  raw: string | undefined,
  r: ConversionRecord,
  legacy: DistinctLog | undefined,
): DistinctLog | undefined {
  if (r.d !== undefined) return r.d;
  // Absent, or written by a verifier without the merge: the old velocity log, if any.
  if (legacy !== undefined) return legacy;
  return raw === undefined ? [] : undefined;
}

/**
 * The record with its velocity log `d` (in `recordJson`'s field order). A record with our
 * fields only, in their order, is built field by field (the same fields, in the same order).
 * @internal
 */
export function withD(r: ConversionRecord, d: DistinctLog): ConversionRecord {
  const out = convKeysInOrder(r)
    ? { v: r.v, k: r.k, b: r.b, until: r.until, pauses: r.pauses, trippedAt: r.trippedAt }
    : recordWithout(r, 'd', 'u', 'ex');
  out.d = d;
  if (r.u !== undefined) out.u = r.u;
  if (r.ex !== undefined) out.ex = r.ex;
  return out;
}

function mergedTtl(r: ConversionRecord, now: number, c: ResolvedConversion, p: PrefixLimit) {
  return Math.max(ttl(r, now, c), logTtl(r.d ?? [], now, p.windowMs));
}

/**
 * A prefix's conversion guard and its unverified-numbers limit (same trailing digits) in one
 * record, so that a start and an approval update it once. A start: the conversion guard
 * decides first (its refusals rank first); then the velocity limit (its refusal is marked
 * `late`: it ranks where the prefix limits rank). `legacy` is the old velocity log to fold in
 * (see `Merged`).
 */
export function prefixGuardSend(
  c: ResolvedConversion,
  p: PrefixLimit,
  now: number,
  tag: string,
  who: Requester | undefined,
  legacy?: DistinctLog,
  key?: string,
): Transition<Merged<Reservation>> {
  const slot = slotOf(key);
  return (raw) => {
    const r0 = decodeRecord(raw, 'conv', empty, slot);
    const d = decideSend(r0, c, 'prefix', now, 'start', who);
    // A refusal that writes nothing (a paused prefix) needs no log: no fold, no extra read.
    if (d.uncounted === undefined && d.write === undefined) return { result: d.result };
    const log = logOf(raw, r0, legacy);
    if (log === undefined) return { result: { legacy: true } };
    if (d.uncounted === undefined) {
      const w = withD(d.write!, log);
      return { result: d.result, write: writeRecord(w, mergedTtl(w, now, c, p), slot) };
    }
    const wait = logRetryAt(log, tag, now, [p]);
    if (wait !== undefined) {
      // The conversion guard's own bookkeeping (pruning, a cleared pause) still lands.
      const w = withD(d.uncounted, log);
      return {
        result: { refusal: { code: 'rate_limited', scope: 'prefix', retryAt: wait }, late: true },
        write: writeRecord(w, mergedTtl(w, now, c, p), slot),
      };
    }
    const previous = log.find(([x]) => x === tag)?.[1];
    const before = who && d.uncounted.u?.find(([e]) => e === who.entry)?.[1];
    const next = withD(d.write!, logAdd(pruneLog(log, now, p.windowMs), tag, now));
    const undo: Transition<void> = (cur) => {
      if (cur === undefined) return { result: undefined };
      const x = decodeRecord(cur, 'conv', empty, slot);
      const y = undoCount(x, now, c, who, before);
      const back = x.d === undefined ? y : withD(y, logUndo(x.d, tag, now, previous));
      return { result: undefined, write: writeRecord(back, mergedTtl(back, now, c, p), slot) };
    };
    return { result: { undo }, write: writeRecord(next, mergedTtl(next, now, c, p), slot) };
  };
}

/** A number of the prefix was approved: counted, and it leaves the unverified numbers. */
export function prefixGuardApproved(
  c: ResolvedConversion,
  p: PrefixLimit,
  now: number,
  tag: string,
  legacy?: DistinctLog,
  key?: string,
): Transition<Merged<void>> {
  const slot = slotOf(key);
  return (raw) => {
    const r = decodeRecord(raw, 'conv', empty, slot);
    const log = logOf(raw, r, legacy);
    if (log === undefined) return { result: { legacy: true } };
    const next = convWith(
      withD(r, logRemove(log, tag)),
      bump(prune(r.b, now, c), now, c, 0, 1),
      removeNumber(r.u, tag.slice(0, REQUESTER_TAG)),
      r.ex ?? [],
    );
    return { result: undefined, write: writeRecord(next, mergedTtl(next, now, c, p), slot) };
  };
}
