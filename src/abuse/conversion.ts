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
  const minSends = c.minSends[scope];
  return (raw) => {
    let r = decodeRecord(raw, 'conv', empty);
    if (now < r.until) {
      return { result: { refusal: { code: 'destination_paused', scope, retryAt: r.until } } };
    }
    if (kind === 'resend') return { result: {} };
    r = { ...r, b: prune(r.b, now, c) };
    if (r.pauses > 0 && r.until + c.windowMs <= now) r = { ...r, pauses: 0 };
    const s = sample(r, now, c);
    const need = r.pauses > 0 ? c.probes : minSends;
    if (s.judged >= need) {
      if (s.approvals < c.threshold * s.judged) {
        const pauses = r.pauses + 1;
        const until = now + pauseLength(c, pauses);
        const tripped: ConversionRecord = { ...r, b: [], until, pauses, trippedAt: now };
        return {
          result: {
            refusal: { code: 'destination_paused', scope, retryAt: until },
            notices: [{ type: 'paused', scope, until, sends: s.judged, approvals: s.approvals }],
          },
          write: writeRecord(tripped, ttl(tripped, now, c)),
        };
      }
      if (r.pauses > 0) r = { ...r, pauses: 0 };
    }
    if (r.pauses > 0 && s.started >= c.probes) {
      // Probing: the probes already out must be judged before more go.
      const newest = r.b[r.b.length - 1]?.[0] ?? now;
      const judgedAt = newest + conversionBucketMs(c) + c.graceMs;
      return { result: { refusal: { code: 'destination_paused', scope, retryAt: judgedAt } } };
    }
    const next: ConversionRecord = { ...r, b: bump(r.b, now, c, 1, 0) };
    const undo: Transition<void> = (cur) => {
      if (cur === undefined) return { result: undefined };
      const x = decodeRecord(cur, 'conv', empty);
      const back: ConversionRecord = { ...x, b: bump(x.b, now, c, -1, 0) };
      return { result: undefined, write: writeRecord(back, ttl(back, now, c)) };
    };
    return { result: { undo }, write: writeRecord(next, ttl(next, now, c)) };
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
