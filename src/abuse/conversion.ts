/**
 * The conversion guard: a circuit breaker per prefix or country over the ratio of approvals
 * to verifications started. Closed, it counts; when at least `minSends` verifications old
 * enough to judge convert below `threshold`, it opens (new verifications there are refused
 * for a pause that grows with each consecutive opening); after the pause it lets `probes`
 * verifications through and closes again only if they convert. Pure. @internal
 * @module
 */
import type { Transition } from '../ports/store';
import type { ResolvedConversion } from './options';
import { type ConversionRecord, decodeRecord, type Reservation, writeRecord } from './records';
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

type Bucket = readonly [number, number, number];

const empty: ConversionRecord = { v: 1, k: 'conv', b: [], until: 0, pauses: 0, trippedAt: 0 };

/** Bucket width: the grace period, or a 96th of the window if that is longer. */
export function conversionBucketMs(c: ResolvedConversion): number {
  return Math.max(c.graceMs, Math.floor(c.windowMs / 96));
}

const startOf = (t: number, w: number) => t - (((t % w) + w) % w);

/** Drops buckets that ended a full window ago. */
function prune(b: readonly Bucket[], now: number, c: ResolvedConversion): readonly Bucket[] {
  const w = conversionBucketMs(c);
  return b.every(([s]) => s + w + c.windowMs > now)
    ? b
    : b.filter(([s]) => s + w + c.windowMs > now);
}

function bump(
  b: readonly Bucket[],
  at: number,
  c: ResolvedConversion,
  sends: number,
  approvals: number,
) {
  const s = startOf(at, conversionBucketMs(c));
  const i = b.findIndex(([x]) => x === s);
  if (i === -1) {
    if (sends < 0 || approvals < 0) return b;
    return [...b, [s, sends, approvals] as const].sort((x, y) => x[0] - y[0]);
  }
  const cur = b[i]!;
  const next = [s, Math.max(0, cur[1] + sends), Math.max(0, cur[2] + approvals)] as const;
  return next[1] === 0 && next[2] === 0
    ? [...b.slice(0, i), ...b.slice(i + 1)]
    : b.map((x, j) => (j === i ? next : x));
}

/** What the guard can judge at `now`: verifications past the grace period, and every approval. */
export function sample(r: ConversionRecord, now: number, c: ResolvedConversion) {
  const w = conversionBucketMs(c);
  let judged = 0;
  let started = 0;
  let approvals = 0;
  for (const [s, n, a] of r.b) {
    started += n;
    approvals += a;
    if (s + w + c.graceMs <= now) judged += n;
  }
  return { judged, started, approvals };
}

function ttl(r: ConversionRecord, now: number, c: ResolvedConversion): number {
  const last = r.b[r.b.length - 1];
  const bucketsEnd = last ? last[0] + conversionBucketMs(c) + c.windowMs : 0;
  const remember = r.pauses > 0 ? r.until + c.windowMs : 0;
  return Math.max(bucketsEnd, remember) - now;
}

/** The length of the `n`-th consecutive pause (n >= 1). */
export function pauseLength(c: ResolvedConversion, n: number): number {
  return Math.min(c.maxPauseMs, c.pauseMs * c.pauseFactor ** Math.max(0, n - 1));
}

/** A send judged against a conversion record. */
interface SendDecision {
  readonly result: Reservation;
  /** The record to write (`undefined`: leave it as it was). */
  readonly write: ConversionRecord | undefined;
  /** When the send is counted: the record before the count (pruned, pause state updated). */
  readonly uncounted?: ConversionRecord;
}

function decideSend(
  r0: ConversionRecord,
  c: ResolvedConversion,
  scope: 'prefix' | 'country',
  now: number,
  kind: 'start' | 'resend',
): SendDecision {
  if (now < r0.until) {
    return {
      result: { refusal: { code: 'destination_paused', scope, retryAt: r0.until } },
      write: undefined,
    };
  }
  if (kind === 'resend') return { result: {}, write: undefined };
  let r: ConversionRecord = { ...r0, b: prune(r0.b, now, c) };
  if (r.pauses > 0 && r.until + c.windowMs <= now) r = { ...r, pauses: 0 };
  const s = sample(r, now, c);
  const need = r.pauses > 0 ? c.probes : c.minSends[scope];
  if (s.judged >= need) {
    if (s.approvals < c.threshold * s.judged) {
      const pauses = r.pauses + 1;
      const until = now + pauseLength(c, pauses);
      return {
        result: {
          refusal: { code: 'destination_paused', scope, retryAt: until },
          notices: [{ type: 'paused', scope, until, sends: s.judged, approvals: s.approvals }],
        },
        write: { ...r, b: [], until, pauses, trippedAt: now },
      };
    }
    if (r.pauses > 0) r = { ...r, pauses: 0 };
  }
  if (r.pauses > 0 && s.started >= c.probes) {
    // Probing: the probes already out must be judged before more go.
    const newest = r.b[r.b.length - 1]?.[0] ?? now;
    const judgedAt = newest + conversionBucketMs(c) + c.graceMs;
    return {
      result: { refusal: { code: 'destination_paused', scope, retryAt: judgedAt } },
      write: undefined,
    };
  }
  return { result: {}, write: { ...r, b: bump(r.b, now, c, 1, 0) }, uncounted: r };
}

/**
 * A verification is about to start (`start`) or a code to be sent again (`resend`) to the
 * scope. Only starts are counted; both are refused while the scope is paused.
 */
export function conversionSend(
  c: ResolvedConversion,
  scope: 'prefix' | 'country',
  now: number,
  kind: 'start' | 'resend',
): Transition<Reservation> {
  return (raw) => {
    const d = decideSend(decodeRecord(raw, 'conv', empty), c, scope, now, kind);
    if (d.write === undefined) return { result: d.result };
    if (d.uncounted === undefined) {
      return { result: d.result, write: writeRecord(d.write, ttl(d.write, now, c)) };
    }
    const undo: Transition<void> = (cur) => {
      if (cur === undefined) return { result: undefined };
      const x = decodeRecord(cur, 'conv', empty);
      const back: ConversionRecord = { ...x, b: bump(x.b, now, c, -1, 0) };
      return { result: undefined, write: writeRecord(back, ttl(back, now, c)) };
    };
    return { result: { undo }, write: writeRecord(d.write, ttl(d.write, now, c)) };
  };
}

/** A verification in the scope was approved. */
export function conversionApproved(c: ResolvedConversion, now: number): Transition<void> {
  return (raw) => {
    const r = decodeRecord(raw, 'conv', empty);
    const next: ConversionRecord = { ...r, b: bump(prune(r.b, now, c), now, c, 0, 1) };
    return { result: undefined, write: writeRecord(next, ttl(next, now, c)) };
  };
}

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
  legacy?: DistinctLog,
): Transition<Merged<Reservation>> {
  return (raw) => {
    const r0 = decodeRecord(raw, 'conv', empty);
    const d = decideSend(r0, c, 'prefix', now, 'start');
    // A refusal that writes nothing (a paused prefix) needs no log: no fold, no extra read.
    if (d.uncounted === undefined && d.write === undefined) return { result: d.result };
    const log = logOf(raw, r0, legacy);
    if (log === undefined) return { result: { legacy: true } };
    if (d.uncounted === undefined) {
      const w: ConversionRecord = { ...d.write!, d: log };
      return { result: d.result, write: writeRecord(w, mergedTtl(w, now, c, p)) };
    }
    const wait = logRetryAt(log, tag, now, [p]);
    if (wait !== undefined) {
      // The conversion guard's own bookkeeping (pruning, a cleared pause) still lands.
      const w: ConversionRecord = { ...d.uncounted, d: log };
      return {
        result: { refusal: { code: 'rate_limited', scope: 'prefix', retryAt: wait }, late: true },
        write: writeRecord(w, mergedTtl(w, now, c, p)),
      };
    }
    const previous = log.find(([x]) => x === tag)?.[1];
    const next: ConversionRecord = {
      ...d.write!,
      d: logAdd(pruneLog(log, now, p.windowMs), tag, now),
    };
    const undo: Transition<void> = (cur) => {
      if (cur === undefined) return { result: undefined };
      const x = decodeRecord(cur, 'conv', empty);
      const back: ConversionRecord = {
        ...x,
        b: bump(x.b, now, c, -1, 0),
        ...(x.d === undefined ? {} : { d: logUndo(x.d, tag, now, previous) }),
      };
      return { result: undefined, write: writeRecord(back, mergedTtl(back, now, c, p)) };
    };
    return { result: { undo }, write: writeRecord(next, mergedTtl(next, now, c, p)) };
  };
}

/** A number of the prefix was approved: counted, and it leaves the unverified numbers. */
export function prefixGuardApproved(
  c: ResolvedConversion,
  p: PrefixLimit,
  now: number,
  tag: string,
  legacy?: DistinctLog,
): Transition<Merged<void>> {
  return (raw) => {
    const r = decodeRecord(raw, 'conv', empty);
    const log = logOf(raw, r, legacy);
    if (log === undefined) return { result: { legacy: true } };
    const next: ConversionRecord = {
      ...r,
      b: bump(prune(r.b, now, c), now, c, 0, 1),
      d: logRemove(log, tag),
    };
    return { result: undefined, write: writeRecord(next, mergedTtl(next, now, c, p)) };
  };
}
