/**
 * Requester keys in the per-phone record: who may act on a verification (only the requester
 * that started it), each requester's share of the phone's send windows and each requester's
 * own failures and lock. One requester key (an address, a /64, a device) can so fill only
 * its share of a phone's sends and lock only itself; the whole phone locks when failures
 * come from `lockout.requesters` distinct keys. Calls without a context share the
 * `ANONYMOUS` requester, held to the phone's windows and lock only (the behaviour before
 * requesters were kept), and may act on any verification. Pure. @internal
 * @module
 */
import { editState } from './copy';
import type { Policy, SendWindow } from './policy';
import { ANONYMOUS, type PhoneState, type RequesterState, type VerificationState } from './state';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Most requester entries kept per phone; the idle ones go first when there are more. */
export const MAX_REQUESTERS = 32;

/**
 * Whether `by` may act on `v`: its own requester may, and the anonymous requester (a call
 * without a context is the application's own code, as before requesters were kept) may act
 * on any. Records written before requesters were kept: anyone may.
 */
export function owns(v: VerificationState, by: string): boolean {
  return v.by === undefined || v.by === by || by === ANONYMOUS;
}

/** The requester's entry, if it has one. */
export function requesterOf(state: PhoneState, by: string): RequesterState | undefined {
  if (by === ANONYMOUS) return undefined;
  return state.requesters?.find((r) => r.k === by);
}

const empty = (k: string): RequesterState => ({ k, s: [], f: 0, l: 0, u: 0, t: 0 });

/** `state` with the requester's entry edited (created when missing). */
export function editRequester(
  state: PhoneState,
  by: string,
  edit: (m: Mutable<RequesterState>) => void,
): PhoneState {
  const list = state.requesters ?? [];
  const i = list.findIndex((r) => r.k === by);
  const m: Mutable<RequesterState> = { ...(i >= 0 ? list[i]! : empty(by)) };
  edit(m);
  const next = i >= 0 ? list.map((r, j) => (j === i ? m : r)) : capped([...list, m]);
  return editState(state, (s) => {
    s.requesters = next;
  });
}

/** Keeps at most `MAX_REQUESTERS` entries, dropping those without a lock or failures first. */
function capped(list: RequesterState[]): RequesterState[] {
  let excess = list.length - MAX_REQUESTERS;
  if (excess <= 0) return list;
  const out: RequesterState[] = [];
  for (const r of list) {
    if (excess > 0 && r.u === 0 && r.f === 0 && r.l === 0) {
      excess -= 1;
      continue;
    }
    out.push(r);
  }
  return out.length > MAX_REQUESTERS ? out.slice(out.length - MAX_REQUESTERS) : out;
}

/** When the requester's own lock ends, if it is locked at `now`. */
export function requesterLockedUntil(state: PhoneState, by: string, now: number): number {
  const r = requesterOf(state, by);
  return r && r.u > now ? r.u : 0;
}

/** The earliest time every window has room again for `times`, or undefined if there is room. */
export function windowsRetryAt(
  times: readonly number[],
  windows: readonly SendWindow[],
  now: number,
): number | undefined {
  let retryAt: number | undefined;
  for (const w of windows) {
    const inWindow = times.filter((t) => t > now - w.windowMs);
    if (inWindow.length >= w.max) {
      // In time order: times are appended as writes land, not in time order.
      inWindow.sort((a, b) => a - b);
      const freeAt = inWindow[inWindow.length - w.max]! + w.windowMs;
      retryAt = Math.max(retryAt ?? 0, freeAt);
    }
  }
  return retryAt;
}

/** When the requester's share of the send windows has room again (undefined: room now). */
export function requesterWindowRetryAt(
  state: PhoneState,
  by: string,
  now: number,
  policy: Policy,
): number | undefined {
  const r = requesterOf(state, by);
  return r ? windowsRetryAt(r.s, policy.requesterSendWindows, now) : undefined;
}

/** Records a send at `now` in the requester's share (nothing for the anonymous requester). */
export function recordRequesterSend(state: PhoneState, by: string, now: number): PhoneState {
  if (by === ANONYMOUS) return state;
  return editRequester(state, by, (m) => {
    m.s = [...m.s, now];
  });
}

/**
 * `v` was approved: its requester's failures and lock escalation are reset and the sends
 * of `v` given back to its share (it proved it holds the phone). A verification approved
 * by its first check, after one send, also gives its send back to the phone's windows: no
 * wrong code was evaluated against it, so the phone's guess bound (wrong guesses are only
 * made on the sends the windows still count) holds, and the owner's own verifications do
 * not use up the windows for the owner.
 */
export function approvedBy(state: PhoneState, v: VerificationState): PhoneState {
  let next = state;
  if (v.sends === 1 && v.checks === 1) {
    const i = state.sends.lastIndexOf(v.createdAt);
    if (i >= 0) {
      next = editState(state, (m) => {
        m.sends = state.sends.filter((_, j) => j !== i);
      });
    }
  }
  return refundRequester(next, v);
}

function refundRequester(state: PhoneState, v: VerificationState): PhoneState {
  const by = v.by ?? ANONYMOUS;
  if (!requesterOf(state, by)) return state;
  return editRequester(state, by, (m) => {
    let refund = v.sends;
    const kept: number[] = [];
    for (let i = m.s.length - 1; i >= 0; i -= 1) {
      const t = m.s[i]!;
      if (refund > 0 && t >= v.createdAt) refund -= 1;
      else kept.unshift(t);
    }
    m.s = kept;
    m.f = 0;
    m.l = 0;
    m.u = 0;
    m.t = 0;
  });
}

/** Applies time to the requester entries: lock ends, forgetting, old sends, idle entries. */
export function settleRequesters(state: PhoneState, now: number, policy: Policy): PhoneState {
  const list = state.requesters;
  if (list === undefined || list.length === 0) return state;
  const longest = Math.max(0, ...policy.requesterSendWindows.map((w) => w.windowMs));
  const forgetAfter = policy.lockout === false ? 0 : policy.lockout.forgetAfterMs;
  let changed = false;
  const next: RequesterState[] = [];
  for (const r of list) {
    let m: Mutable<RequesterState> | undefined;
    const edit = () => {
      m ??= { ...r };
      return m;
    };
    if (r.u !== 0 && r.u <= now) edit().u = 0;
    const cur = m ?? r;
    if (cur.u === 0 && (cur.f > 0 || cur.l > 0) && cur.t + forgetAfter <= now) {
      const e = edit();
      e.f = 0;
      e.l = 0;
      e.t = 0;
    }
    if (r.s.length > 0 && r.s[0]! <= now - longest) edit().s = r.s.filter((t) => t > now - longest);
    const out = m ?? r;
    if (m) changed = true;
    if (out.s.length === 0 && out.f === 0 && out.l === 0 && out.u === 0) {
      changed = true;
      continue;
    }
    next.push(out);
  }
  if (!changed) return state;
  return editState(state, (s) => {
    if (next.length > 0) s.requesters = next;
    else delete s.requesters;
  });
}

/** Milliseconds from `now` the requester entries need the record to live. */
export function requestersUntil(state: PhoneState, policy: Policy): number {
  let until = 0;
  const longest = Math.max(0, ...policy.requesterSendWindows.map((w) => w.windowMs));
  for (const r of state.requesters ?? []) {
    until = Math.max(until, r.u);
    if (policy.lockout !== false && (r.f > 0 || r.l > 0)) {
      until = Math.max(until, r.t + policy.lockout.forgetAfterMs);
    }
    // The newest send, not the last appended: writes land out of time order.
    for (const t of r.s) until = Math.max(until, t + longest);
  }
  return until;
}
