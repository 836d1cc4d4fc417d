/**
 * The conversion guard: a circuit breaker per prefix or country over the ratio of approvals
 * to verifications started. Closed, it counts; when at least `minSends` verifications old
 * enough to judge convert below `threshold`, and their unconverted starts came from at least
 * `minRequesters` distinct requesters, it opens (new verifications there are refused for a
 * pause that grows with each consecutive opening); after the pause it lets `probes`
 * verifications through, one per requester and none from the requesters that tripped it,
 * and closes again only if they convert. Pure. @internal
 * @module
 */
import type { Transition } from '../ports/store';
import type { ResolvedConversion } from './options';
import { emptyConversion as empty } from './record-kinds';
import {
  type ConversionRecord,
  decodeRecord,
  type Reservation,
  slotOf,
  writeRecord,
} from './records';
import {
  addEntry,
  convWith,
  type Requester,
  removeNumber,
  requesterCap,
  requestersOf,
  withRequesters,
} from './requester-log';
import { logUndo, pruneLog } from './window';

export { emptyConversion as empty } from './record-kinds';
export {
  REQUESTER_TAG,
  type Requester,
  removeNumber,
  requesterCap,
  withRequesters,
} from './requester-log';

type Bucket = readonly [number, number, number];

/** Bucket width: the grace period, or a 96th of the window if that is longer. */
export function conversionBucketMs(c: ResolvedConversion): number {
  return Math.max(c.graceMs, Math.floor(c.windowMs / 96));
}

const startOf = (t: number, w: number) => t - (((t % w) + w) % w);

/** Drops buckets that ended a full window ago. */
export function prune(b: readonly Bucket[], now: number, c: ResolvedConversion): readonly Bucket[] {
  const w = conversionBucketMs(c);
  return b.every(([s]) => s + w + c.windowMs > now)
    ? b
    : b.filter(([s]) => s + w + c.windowMs > now);
}

export function bump(
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

export function ttl(r: ConversionRecord, now: number, c: ResolvedConversion): number {
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

export function decideSend(
  r0: ConversionRecord,
  c: ResolvedConversion,
  scope: 'prefix' | 'country',
  now: number,
  kind: 'start' | 'resend',
  who: Requester | undefined,
): SendDecision {
  if (now < r0.until) {
    return {
      result: { refusal: { code: 'destination_paused', scope, retryAt: r0.until } },
      write: undefined,
    };
  }
  if (kind === 'resend') return { result: {}, write: undefined };
  const u = pruneLog(r0.u ?? [], now, c.windowMs);
  let ex = r0.ex ?? [];
  let r = convWith(r0, prune(r0.b, now, c), u, ex);
  if (r.pauses > 0 && r.until + c.windowMs <= now) {
    r = { ...r, pauses: 0 };
    ex = [];
  }
  const s = sample(r, now, c);
  const need = r.pauses > 0 ? c.probes : c.minSends[scope];
  if (s.judged >= need) {
    if (s.approvals < c.threshold * s.judged) {
      const requesters = requestersOf(u);
      // Closed, a pause needs many requesters; probing, the probes came from distinct ones.
      if (r.pauses > 0 || requesters.size >= c.minRequesters) {
        const pauses = r.pauses + 1;
        const until = now + pauseLength(c, pauses);
        const tripped = [...new Set([...ex, ...requesters])];
        return {
          result: {
            refusal: { code: 'destination_paused', scope, retryAt: until },
            notices: [{ type: 'paused', scope, until, sends: s.judged, approvals: s.approvals }],
          },
          write: withRequesters(
            { ...r, b: [], until, pauses, trippedAt: now },
            [],
            tripped.slice(Math.max(0, tripped.length - requesterCap(c))),
          ),
        };
      }
    } else if (r.pauses > 0) {
      r = { ...r, pauses: 0 };
      ex = [];
    }
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
  if (
    r.pauses > 0 &&
    who !== undefined &&
    (ex.includes(who.req) || u.some(([e]) => e.startsWith(who.req)))
  ) {
    // A requester that tripped the pause takes no probe, and none takes two: waiting does
    // not help it (the others' probes decide), so no retry time.
    return { result: { refusal: { code: 'destination_paused', scope } }, write: undefined };
  }
  r = convWith(r, r.b, u, ex);
  const counted = who === undefined ? r.u : addEntry(r.u ?? [], who, now, c);
  return {
    result: {},
    write: convWith(r, bump(r.b, now, c, 1, 0), counted ?? [], ex),
    uncounted: r,
  };
}

/** Undoes a start's count: its bucket, and its requester-log entry (as it was before). */
export function undoCount(
  x: ConversionRecord,
  now: number,
  c: ResolvedConversion,
  who: Requester | undefined,
  previous: number | undefined,
): ConversionRecord {
  const b = bump(x.b, now, c, -1, 0);
  if (who === undefined || x.u === undefined) return { ...x, b };
  return withRequesters({ ...x, b }, logUndo(x.u, who.entry, now, previous), x.ex ?? []);
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
  who?: Requester,
  key?: string,
): Transition<Reservation> {
  const slot = slotOf(key);
  return (raw) => {
    const d = decideSend(decodeRecord(raw, 'conv', empty, slot), c, scope, now, kind, who);
    if (d.write === undefined) return { result: d.result };
    if (d.uncounted === undefined) {
      return { result: d.result, write: writeRecord(d.write, ttl(d.write, now, c), slot) };
    }
    const previous = who && d.uncounted.u?.find(([e]) => e === who.entry)?.[1];
    const undo: Transition<void> = (cur) => {
      if (cur === undefined) return { result: undefined };
      const back = undoCount(decodeRecord(cur, 'conv', empty, slot), now, c, who, previous);
      return { result: undefined, write: writeRecord(back, ttl(back, now, c), slot) };
    };
    return { result: { undo }, write: writeRecord(d.write, ttl(d.write, now, c), slot) };
  };
}

/**
 * A verification in the scope was approved: counted, and its number (`phone`, its tag in the
 * requester log) leaves the unconverted starts.
 */
export function conversionApproved(
  c: ResolvedConversion,
  now: number,
  phone: string,
  key?: string,
): Transition<void> {
  const slot = slotOf(key);
  return (raw) => {
    const r = decodeRecord(raw, 'conv', empty, slot);
    const b = bump(prune(r.b, now, c), now, c, 0, 1);
    const next = convWith(r, b, removeNumber(r.u, phone), r.ex ?? []);
    return { result: undefined, write: writeRecord(next, ttl(next, now, c), slot) };
  };
}
