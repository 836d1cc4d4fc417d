/**
 * Rolling-window primitives for the abuse budgets: bucketed counters and distinct-value logs.
 * Pure functions over plain arrays, so every budget record is a small JSON value updated in one
 * atomic `store.update`. @internal
 * @module
 */

/** At most `max` units within any `windowMs` milliseconds. */
export interface Limit {
  readonly windowMs: number;
  readonly max: number;
}

/** Counted amounts per bucket: `[bucketStart, amount]`, ascending by start. */
export type Buckets = ReadonlyArray<readonly [number, number]>;

/** Buckets per window: a counter keeps at most this many entries per limit. */
export const BUCKETS_PER_WINDOW = 60;

/** Width of one bucket of a window, in ms. */
export function bucketWidth(windowMs: number): number {
  return Math.max(1, Math.floor(windowMs / BUCKETS_PER_WINDOW));
}

/**
 * When the amounts of the bucket starting at `start` stop counting. A bucket counts until a
 * full window has passed since its END, so an event always counts for at least `windowMs`
 * (and at most one bucket longer): no rolling window of `windowMs` ever holds more than `max`.
 */
export function bucketExpiry(start: number, windowMs: number): number {
  return start + bucketWidth(windowMs) + windowMs;
}

/** Drops buckets that no longer count at `now`. */
export function prune(b: Buckets, now: number, windowMs: number): Buckets {
  let firstLive = 0;
  while (firstLive < b.length && bucketExpiry(b[firstLive]![0], windowMs) <= now) firstLive += 1;
  if (firstLive === b.length) return [];
  return firstLive === 0 ? b : b.slice(firstLive);
}

/** Sum of the amounts counting at `now`. */
export function total(b: Buckets, now: number, windowMs: number): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 1) {
    const [s, n] = b[i]!;
    if (bucketExpiry(s, windowMs) > now) sum += n;
  }
  return sum;
}

/** Adds `amount` (may be negative, never below zero per bucket) to the bucket holding `at`. */
export function add(b: Buckets, at: number, windowMs: number, amount: number): Buckets {
  const w = bucketWidth(windowMs);
  const start = at - (((at % w) + w) % w);
  let i = 0;
  while (i < b.length && b[i]![0] !== start) i += 1;
  if (i === b.length) {
    if (amount <= 0) return b;
    const next = [...b, [start, amount] as const];
    return next.sort((x, y) => x[0] - y[0]);
  }
  const n = Math.max(0, b[i]![1] + amount);
  if (n === 0) return [...b.slice(0, i), ...b.slice(i + 1)];
  const next = b.slice();
  next[i] = [start, n] as const;
  return next;
}

/**
 * The earliest time at which `amount` more fits under `limit`, or `undefined` when it fits
 * now. `Infinity` when it can never fit (amount above the limit).
 */
export function retryAt(b: Buckets, now: number, limit: Limit, amount: number): number | undefined {
  let used = total(b, now, limit.windowMs);
  if (used + amount <= limit.max) return undefined;
  if (amount > limit.max) return Number.POSITIVE_INFINITY;
  for (let i = 0; i < b.length; i += 1) {
    const [s, n] = b[i]!;
    const end = bucketExpiry(s, limit.windowMs);
    if (end <= now) continue;
    used -= n;
    if (used + amount <= limit.max) return end;
  }
  return Number.POSITIVE_INFINITY;
}

/** How long a record holding these buckets must live from `now` (0: nothing counts). */
export function bucketsTtl(b: Buckets, now: number, windowMs: number): number {
  const last = b[b.length - 1];
  return last ? Math.max(0, bucketExpiry(last[0], windowMs) - now) : 0;
}

/** A log of distinct values with the last time each was seen: `[tag, at]`, any order. */
export type DistinctLog = ReadonlyArray<readonly [string, number]>;

/** Drops entries older than the longest window. */
export function pruneLog(log: DistinctLog, now: number, longestMs: number): DistinctLog {
  return log.every(([, t]) => t + longestMs > now)
    ? log
    : log.filter(([, t]) => t + longestMs > now);
}

/**
 * Whether a new sighting of `tag` fits every limit, or the earliest time it will. A tag
 * already seen within a window does not count again in that window.
 */
export function logRetryAt(
  log: DistinctLog,
  tag: string,
  now: number,
  limits: readonly Limit[],
): number | undefined {
  const seen = log.find(([x]) => x === tag)?.[1];
  let at: number | undefined;
  for (const l of limits) {
    if (seen !== undefined && seen + l.windowMs > now) continue;
    const live = log
      .map(([, t]) => t)
      .filter((t) => t + l.windowMs > now)
      .sort((x, y) => x - y);
    if (live.length < l.max) continue;
    const free = live[live.length - l.max]! + l.windowMs;
    at = Math.max(at ?? 0, free);
  }
  return at;
}

/** Records a sighting of `tag` at `at` (replacing its earlier time). */
export function logAdd(log: DistinctLog, tag: string, at: number): DistinctLog {
  return [...log.filter(([x]) => x !== tag), [tag, at] as const];
}

/** Undoes `logAdd(log, tag, at)` made over a log where `tag` was last seen at `previous`. */
export function logUndo(
  log: DistinctLog,
  tag: string,
  at: number,
  previous: number | undefined,
): DistinctLog {
  const cur = log.find(([x]) => x === tag);
  if (!cur || cur[1] !== at) return log;
  const rest = log.filter(([x]) => x !== tag);
  return previous === undefined ? rest : [...rest, [tag, previous] as const];
}

/** Forgets `tag` (a verified number stops counting toward a prefix's unverified numbers). */
export function logRemove(log: DistinctLog, tag: string): DistinctLog {
  return log.some(([x]) => x === tag) ? log.filter(([x]) => x !== tag) : log;
}

/** How long a record holding this log must live from `now`. */
export function logTtl(log: DistinctLog, now: number, longestMs: number): number {
  let last = Number.NEGATIVE_INFINITY;
  for (const [, t] of log) last = Math.max(last, t);
  return log.length === 0 ? 0 : Math.max(0, last + longestMs - now);
}

/** The longest window of `limits` (0: none). */
export function longest(limits: readonly Limit[]): number {
  let ms = 0;
  for (let i = 0; i < limits.length; i += 1) ms = Math.max(ms, limits[i]!.windowMs);
  return ms;
}

/** The earliest time every limit has room for `amount` more, or undefined if they do now. */
export function countersRetryAt(
  lists: readonly Buckets[],
  limits: readonly Limit[],
  now: number,
  amount: number,
): number | undefined {
  let at: number | undefined;
  for (let i = 0; i < limits.length; i += 1) {
    const r = retryAt(lists[i] ?? [], now, limits[i]!, amount);
    if (r !== undefined) at = Math.max(at ?? 0, r);
  }
  return at;
}

/** Adds `amount` at `at` to each limit's counter (pruned first). */
export const addAll = (
  lists: readonly Buckets[],
  limits: readonly Limit[],
  at: number,
  amount: number,
) => limits.map((l, i) => add(prune(lists[i] ?? [], at, l.windowMs), at, l.windowMs, amount));

/** How long the counters of `lists` (one per limit) must live from `now`. */
export function countersTtl(
  lists: readonly Buckets[],
  limits: readonly Limit[],
  now: number,
): number {
  let ttl = 0;
  for (let i = 0; i < limits.length; i += 1) {
    ttl = Math.max(ttl, bucketsTtl(lists[i] ?? [], now, limits[i]!.windowMs));
  }
  return ttl;
}
