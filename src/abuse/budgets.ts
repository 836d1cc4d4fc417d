/**
 * Pure transitions of the counting budgets: per requester, per prefix, per country and global.
 * Each decides and reserves in one atomic store update, so a budget is exact under any
 * concurrency on any store; the returned `undo` gives the room back if the operation is
 * abandoned before a message leaves. @internal
 * @module
 */
import type { Transition } from '../ports/store';
import type { ResolvedBudget, ResolvedGlobal } from './options';
import {
  type AbuseNotice,
  type CountryRecord,
  decodeRecord,
  type GlobalRecord,
  type PrefixRecord,
  type RequesterRecord,
  type Reservation,
  requesterWith,
  slotOf,
  writeRecord,
} from './records';
import { refuse } from './reservation';
import type { PrefixLimit } from './types';
import {
  add,
  addAll,
  bucketsTtl,
  countersRetryAt,
  countersTtl,
  type DistinctLog,
  logAdd,
  logRemove,
  logRetryAt,
  logTtl,
  logUndo,
  longest,
  prune,
  pruneLog,
  retryAt,
  total,
} from './window';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const emptyRequester: RequesterRecord = { v: 1, k: 'req', d: [], s: [], c: [] };

function requesterTtl(r: RequesterRecord, b: ResolvedBudget, now: number): number {
  return Math.max(
    logTtl(r.d, now, longest(b.destinations)),
    countersTtl(r.s, b.sends, now),
    countersTtl(r.c, b.checks, now),
  );
}

/**
 * A message on behalf of one requester: counts a send, and a destination when `tag` (the
 * number's tag) is new within a destination window.
 */
export function requesterSend(
  b: ResolvedBudget,
  now: number,
  tag: string,
  key?: string,
): Transition<Reservation> {
  const slot = slotOf(key);
  return (raw) => {
    const r = decodeRecord(raw, 'req', emptyRequester, slot);
    const wait = Math.max(
      logRetryAt(r.d, tag, now, b.destinations) ?? 0,
      countersRetryAt(r.s, b.sends, now, 1) ?? 0,
    );
    if (wait > 0) return refuse('rate_limited', 'requester', wait);
    const previous = r.d.find(([x]) => x === tag)?.[1];
    const track = b.destinations.length > 0;
    const next = requesterWith(
      r,
      track ? logAdd(pruneLog(r.d, now, longest(b.destinations)), tag, now) : [],
      addAll(r.s, b.sends, now, 1),
      r.c,
    );
    const undo: Transition<void> = (cur) => {
      if (cur === undefined) return { result: undefined };
      const x = decodeRecord(cur, 'req', emptyRequester, slot);
      const back = requesterWith(
        x,
        track ? logUndo(x.d, tag, now, previous) : x.d,
        b.sends.map((l, i) => add(x.s[i] ?? [], now, l.windowMs, -1)),
        x.c,
      );
      return { result: undefined, write: writeRecord(back, requesterTtl(back, b, now), slot) };
    };
    return { result: { undo }, write: writeRecord(next, requesterTtl(next, b, now), slot) };
  };
}

/** A code check on behalf of one requester (checks are never given back). */
export function requesterCheck(
  b: ResolvedBudget,
  now: number,
  key?: string,
): Transition<Reservation> {
  const slot = slotOf(key);
  return (raw) => {
    const r = decodeRecord(raw, 'req', emptyRequester, slot);
    const wait = countersRetryAt(r.c, b.checks, now, 1);
    if (wait !== undefined) return refuse('rate_limited', 'requester', wait);
    const next = requesterWith(r, r.d, r.s, addAll(r.c, b.checks, now, 1));
    return { result: {}, write: writeRecord(next, requesterTtl(next, b, now), slot) };
  };
}

const emptyPrefix: PrefixRecord = { v: 1, k: 'pfx', d: [] };

/** The velocity log held by a prefix record (empty when absent). */
export const prefixLog = (raw: string | undefined): DistinctLog =>
  decodeRecord(raw, 'pfx', emptyPrefix).d;

/** A message to the number tagged `tag` in a prefix: at most `max` unverified numbers per window. */
export function prefixSend(
  p: PrefixLimit,
  now: number,
  tag: string,
  key?: string,
): Transition<Reservation> {
  const slot = slotOf(key);
  return (raw) => {
    const r = decodeRecord(raw, 'pfx', emptyPrefix, slot);
    const wait = logRetryAt(r.d, tag, now, [p]);
    if (wait !== undefined) return refuse('rate_limited', 'prefix', wait);
    const previous = r.d.find(([x]) => x === tag)?.[1];
    const next: PrefixRecord = { ...r, d: logAdd(pruneLog(r.d, now, p.windowMs), tag, now) };
    const undo: Transition<void> = (cur) => {
      if (cur === undefined) return { result: undefined };
      const x = decodeRecord(cur, 'pfx', emptyPrefix, slot);
      const back: PrefixRecord = { ...x, d: logUndo(x.d, tag, now, previous) };
      return {
        result: undefined,
        write: writeRecord(back, logTtl(back.d, now, p.windowMs), slot),
      };
    };
    return { result: { undo }, write: writeRecord(next, logTtl(next.d, now, p.windowMs), slot) };
  };
}

/** A number verified: it no longer counts toward its prefix's unverified numbers. */
export function prefixVerified(
  p: PrefixLimit,
  now: number,
  tag: string,
  key?: string,
): Transition<void> {
  const slot = slotOf(key);
  return (raw) => {
    if (raw === undefined) return { result: undefined };
    const r = decodeRecord(raw, 'pfx', emptyPrefix, slot);
    const d = logRemove(r.d, tag);
    if (d === r.d) return { result: undefined };
    return {
      result: undefined,
      write: writeRecord({ ...r, d }, logTtl(d, now, p.windowMs), slot),
    };
  };
}

const emptyCountry: CountryRecord = { v: 1, k: 'cc', n: [] };

/** A message to a country capped at `cap` messages per rolling hour. */
export function countrySend(cap: number, now: number, key?: string): Transition<Reservation> {
  const slot = slotOf(key);
  return (raw) => {
    const r = decodeRecord(raw, 'cc', emptyCountry, slot);
    const wait = retryAt(r.n, now, { windowMs: HOUR, max: cap }, 1);
    if (wait !== undefined) return refuse('rate_limited', 'country', wait);
    const next: CountryRecord = { ...r, n: add(prune(r.n, now, HOUR), now, HOUR, 1) };
    const undo: Transition<void> = (cur) => {
      if (cur === undefined) return { result: undefined };
      const x = decodeRecord(cur, 'cc', emptyCountry, slot);
      const back: CountryRecord = { ...x, n: add(x.n, now, HOUR, -1) };
      return { result: undefined, write: writeRecord(back, bucketsTtl(back.n, now, HOUR), slot) };
    };
    return { result: { undo }, write: writeRecord(next, bucketsTtl(next.n, now, HOUR), slot) };
  };
}

const emptyGlobal: GlobalRecord = { v: 1, k: 'global', n: [], c: [], wn: 0, wc: 0 };

const globalTtl = (r: GlobalRecord, now: number) =>
  Math.max(
    bucketsTtl(r.n, now, DAY),
    bucketsTtl(r.c, now, DAY),
    r.wn + DAY - now,
    r.wc + DAY - now,
  );

/** One message of price `price` (millionths) against the daily message and cost budgets. */
export function globalSend(
  g: ResolvedGlobal,
  now: number,
  price: number,
  key?: string,
): Transition<Reservation> {
  const slot = slotOf(key);
  return (raw) => {
    const r = decodeRecord(raw, 'global', emptyGlobal, slot);
    let wait = 0;
    if (g.messagesPerDay !== undefined) {
      wait = Math.max(wait, retryAt(r.n, now, { windowMs: DAY, max: g.messagesPerDay }, 1) ?? 0);
    }
    if (g.costPerDay !== undefined) {
      wait = Math.max(wait, retryAt(r.c, now, { windowMs: DAY, max: g.costPerDay }, price) ?? 0);
    }
    if (wait > 0) return refuse('budget_exceeded', 'global', wait);
    const notices: AbuseNotice[] = [];
    let { wn, wc } = r;
    const n = add(prune(r.n, now, DAY), now, DAY, 1);
    const c = price > 0 ? add(prune(r.c, now, DAY), now, DAY, price) : prune(r.c, now, DAY);
    const crossed = (before: number, after: number, limit: number, warned: number) =>
      before < g.warnAt * limit && after >= g.warnAt * limit && warned + DAY <= now;
    if (g.messagesPerDay !== undefined) {
      const used = total(n, now, DAY);
      if (crossed(used - 1, used, g.messagesPerDay, wn)) {
        notices.push({ type: 'budget_warning', unit: 'messages', used, limit: g.messagesPerDay });
        wn = now;
      }
    }
    if (g.costPerDay !== undefined) {
      const used = total(c, now, DAY);
      if (crossed(used - price, used, g.costPerDay, wc)) {
        const limit = g.costPerDay / 1e6;
        notices.push({ type: 'budget_warning', unit: 'cost', used: used / 1e6, limit });
        wc = now;
      }
    }
    const next: GlobalRecord = { ...r, n, c, wn, wc };
    const undo: Transition<void> = (cur) => {
      if (cur === undefined) return { result: undefined };
      const x = decodeRecord(cur, 'global', emptyGlobal, slot);
      const back: GlobalRecord = { ...x, n: add(x.n, now, DAY, -1), c: add(x.c, now, DAY, -price) };
      return { result: undefined, write: writeRecord(back, globalTtl(back, now), slot) };
    };
    return {
      result: notices.length > 0 ? { undo, notices } : { undo },
      write: writeRecord(next, globalTtl(next, now), slot),
    };
  };
}
