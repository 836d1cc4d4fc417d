/**
 * Model-based test of the abuse budgets: random sequences of starts and resends from three
 * requesters (and none) to numbers in shared prefixes, right and wrong checks, and time
 * jumps run against the real verifier (memory store, fake clock) and against a plain model
 * of requester budgets, prefix velocity, the global budget and (through the lead's reference
 * model) the per-phone limits. Every answer must match: code, scope and retryAfter.
 *
 * It runs without the conversion guard, and with it on its prefix scope at the 6 trailing
 * digits of a prefix limit: the merged layout, where the guard's `conv:pfx:…` record also
 * holds that prefix's velocity log. The model then adds the guard (its pauses, probes and
 * retry times, exactly) ranked first, before the requester budgets and the velocity limit,
 * with its requester rule: a pause needs unconverted starts from `minRequesters` distinct
 * requesters (an IP, or the number itself without a context), and after a pause a requester
 * that tripped it, or already holds a probe, takes no probe.
 * `FC_NUM_RUNS` sets the runs per configuration (default 200).
 */
import fc from 'fast-check';
import type { Result } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import type { ConversionOptions } from '../../src/abuse/types';
import { createVerifier, type VerifyError } from '../../src/index';
import { normalizePhone } from '../../src/phone';
import { outboxSender } from '../../src/senders/outbox';
import * as M from '../support/model';
import { wrong } from '../support/setup';
import { DAY, HOUR } from './support';

const PHONES = [
  '+12133731000',
  '+12133731001',
  '+12133731002',
  '+12133741000',
  '+12133741001',
  '+12133751000',
  '+14155551000',
  '+14155551001',
  '+33612345678',
];
const IPS = ['192.0.2.1', '2001:db8:0:1::1', '198.51.100.9', undefined] as const;
const LIMITS = {
  dest: { windowMs: HOUR, max: 3 },
  sends: { windowMs: HOUR, max: 5 },
  tiers: [
    { trailingDigits: 4, windowMs: HOUR, max: 2 },
    // Below the sum of the 4-digit limits over the 6-digit prefix's numbers, so it can refuse.
    { trailingDigits: 6, windowMs: HOUR, max: 3 },
  ],
  global: { windowMs: DAY, max: 9 },
};
const MINUTE = 60_000;
const RUNS = Number(process.env.FC_NUM_RUNS ?? 200);

/**
 * Conversion guard settings: prefix scope only, `trailingDigits` left at its default (6, the
 * second prefix tier's), so the guard's record holds the 6-digit velocity log. Buckets are a
 * minute wide (the grace period); pauses of 5, 10 then 20 minutes.
 */
interface Guarded {
  readonly windowMs: number;
  readonly threshold: number;
  readonly minSends: number;
  readonly graceMs: number;
  readonly pauseMs: number;
  readonly pauseFactor: number;
  readonly maxPauseMs: number;
  readonly probes: number;
  readonly minRequesters: number;
}
const GUARD: Guarded = {
  windowMs: HOUR,
  threshold: 0.5,
  minSends: 3,
  graceMs: MINUTE,
  pauseMs: 5 * MINUTE,
  pauseFactor: 2,
  maxPauseMs: 20 * MINUTE,
  probes: 2,
  // Two of the three requesters (two IPs, or numbers started without a context).
  minRequesters: 2,
};
/** The guard's prefix: the merged prefix limit's digits (and the guard's default). */
const GUARD_DIGITS = 6;

const conversionOptions = (g: Guarded): ConversionOptions => ({
  scopes: ['prefix'],
  windowMs: g.windowMs,
  threshold: g.threshold,
  minSends: { prefix: g.minSends },
  graceMs: g.graceMs,
  pauseMs: g.pauseMs,
  pauseFactor: g.pauseFactor,
  maxPauseMs: g.maxPauseMs,
  probes: g.probes,
  minRequesters: g.minRequesters,
});

/** The prefix of a number for `trailing` hidden digits (calling code 1 or 33 here). */
const prefix = (phone: string, trailing: number) => {
  const cc = phone.startsWith('+1') ? 1 : 2;
  const national = phone.slice(1 + cc);
  return `${phone.slice(0, 1 + cc)} ${national.slice(0, Math.max(1, national.length - trailing))}`;
};

/** Counter model: events count until a window has passed since the end of their bucket. */
function counterWait(
  times: number[],
  now: number,
  windowMs: number,
  max: number,
): number | undefined {
  const width = Math.floor(windowMs / 60);
  const buckets = new Map<number, number>();
  for (const t of times) {
    const end = t - (t % width) + width + windowMs;
    if (end > now) buckets.set(end, (buckets.get(end) ?? 0) + 1);
  }
  let used = [...buckets.values()].reduce((a, b) => a + b, 0);
  if (used + 1 <= max) return undefined;
  for (const [end, n] of [...buckets].sort((a, b) => a[0] - b[0])) {
    used -= n;
    if (used + 1 <= max) return end;
  }
  return Number.POSITIVE_INFINITY;
}

/** Distinct-value model: a value seen within the window is free, others need room. */
function distinctWait(
  seen: Map<string, number>,
  tag: string,
  now: number,
  windowMs: number,
  max: number,
) {
  const last = seen.get(tag);
  if (last !== undefined && last + windowMs > now) return undefined;
  const live = [...seen.values()].filter((t) => t + windowMs > now).sort((a, b) => a - b);
  return live.length < max ? undefined : live[live.length - max]! + windowMs;
}

interface World {
  now: number;
  verifier: ReturnType<typeof createVerifier>;
  outbox: ReturnType<typeof outboxSender>;
  phones: M.MPhone[];
  started: Array<{ phone: number; id: string }>;
  reqDest: Array<Map<string, number>>;
  reqSends: number[][];
  prefixes: Array<Map<string, Map<string, number>>>;
  global: number[];
  /** The conversion guard's settings, when on. */
  guard: Guarded | undefined;
  /** Guard state per 6-digit prefix. */
  guards: Map<string, Guard>;
  /** Which refusals the run met (coverage: the interesting paths must be reached). */
  seen: Set<string>;
  /** Per prefix of the 6-digit tier, numbers approved (and so forgotten) and when last sent. */
  approved: Map<string, Map<string, number>>;
}

/** The model of one prefix's conversion record: counted starts and approvals, pause state. */
interface Guard {
  sends: number[];
  approvals: number[];
  until: number;
  pauses: number;
  /** Unconverted starts: `requester|phone` → when last started (since the last pause). */
  unconverted: Map<string, number>;
  /** The requesters that tripped the current pauses. */
  excluded: Set<string>;
}

/** The guard's requester of a start: its IP, or without one the number itself. */
const requesterOf = (r: number, phone: number) =>
  IPS[r] === undefined ? `phone${phone}` : `ip${r}`;

/** A refusal with `retryAt` absolute (from `abuseRefusal`) or relative to now (in `compare`). */
type Refusal = { code: string; scope: string; retryAt: number; by?: string } | undefined;

function guardOf(w: World, phone: number): Guard {
  const p = prefix(PHONES[phone]!, GUARD_DIGITS);
  let g = w.guards.get(p);
  if (!g) {
    g = {
      sends: [],
      approvals: [],
      until: 0,
      pauses: 0,
      unconverted: new Map(),
      excluded: new Set(),
    };
    w.guards.set(p, g);
  }
  return g;
}

/**
 * The conversion guard's answer, updating its state as the real record is (pruning, a reset
 * pause count, a new pause). Time only moves forward, so pruning early changes nothing. A
 * start is counted by `record`, once the operation succeeded (otherwise the count is undone).
 */
function guardRefusal(
  c: Guarded,
  g: Guard,
  now: number,
  kind: 'start' | 'resend',
  who: string,
  seen: Set<string>,
): Refusal {
  const width = Math.max(c.graceMs, Math.floor(c.windowMs / 96));
  const bucket = (t: number) => t - (t % width);
  const paused = (retryAt: number) => ({
    code: 'destination_paused',
    scope: 'prefix',
    retryAt,
    by: 'guard',
  });
  if (now < g.until) return paused(g.until);
  if (kind === 'resend') return undefined;
  const live = (t: number) => bucket(t) + width + c.windowMs > now;
  g.sends = g.sends.filter(live);
  g.approvals = g.approvals.filter(live);
  for (const [k, t] of g.unconverted) if (t + c.windowMs <= now) g.unconverted.delete(k);
  if (g.pauses > 0 && g.until + c.windowMs <= now) {
    g.pauses = 0;
    g.excluded = new Set();
  }
  const judged = g.sends.filter((t) => bucket(t) + width + c.graceMs <= now).length;
  if (judged >= (g.pauses > 0 ? c.probes : c.minSends)) {
    if (g.approvals.length < c.threshold * judged) {
      const requesters = new Set([...g.unconverted.keys()].map((k) => k.split('|')[0]!));
      if (g.pauses > 0 || requesters.size >= c.minRequesters) {
        g.pauses += 1;
        g.until = now + Math.min(c.maxPauseMs, c.pauseMs * c.pauseFactor ** (g.pauses - 1));
        g.sends = [];
        g.approvals = [];
        g.excluded = new Set([...g.excluded, ...requesters]);
        g.unconverted = new Map();
        return { ...paused(g.until), by: 'guard-trip' };
      }
      // Not converting, but from too few requesters: no pause.
      seen.add('guard-few-requesters');
    } else if (g.pauses > 0) {
      g.pauses = 0;
      g.excluded = new Set();
    }
  }
  if (g.pauses > 0 && g.sends.length >= c.probes) {
    // Probing: wait until the newest bucket (sends or approvals) can be judged.
    const newest = Math.max(...g.sends.map(bucket), ...g.approvals.map(bucket));
    return { ...paused(newest + width + c.graceMs), by: 'guard-probe' };
  }
  const probing = [...g.unconverted.keys()].some((k) => k.startsWith(`${who}|`));
  if (g.pauses > 0 && kind === 'start' && (g.excluded.has(who) || probing)) {
    // A requester that tripped the pause, or holds a probe already: no retry time.
    return { ...paused(Number.POSITIVE_INFINITY), by: 'guard-excluded' };
  }
  return undefined;
}

/**
 * The first abuse refusal, in the shield's order: conversion guard (when on), requester,
 * prefixes (start only; the 6-digit one lives in the guard's record but ranks here), global.
 */
function abuseRefusal(w: World, r: number, phone: number, kind: 'start' | 'resend'): Refusal {
  const tag = PHONES[phone]!;
  if (w.guard) {
    const who = requesterOf(r, phone);
    const refusal = guardRefusal(w.guard, guardOf(w, phone), w.now, kind, who, w.seen);
    if (refusal) {
      // Coverage of the ranking: the guard refuses where the velocity limit would too.
      const tier = LIMITS.tiers[1]!;
      const seen = w.prefixes[1]!.get(prefix(tag, tier.trailingDigits)) ?? new Map();
      const full = distinctWait(seen, tag, w.now, tier.windowMs, tier.max) !== undefined;
      if (kind === 'start' && full) w.seen.add('guard-over-velocity');
      return refusal;
    }
  }
  if (IPS[r] !== undefined) {
    const a = distinctWait(w.reqDest[r]!, tag, w.now, LIMITS.dest.windowMs, LIMITS.dest.max) ?? 0;
    const b = counterWait(w.reqSends[r]!, w.now, LIMITS.sends.windowMs, LIMITS.sends.max) ?? 0;
    if (Math.max(a, b) > 0)
      return { code: 'rate_limited', scope: 'requester', retryAt: Math.max(a, b) };
  }
  if (kind === 'start') {
    for (const [i, tier] of LIMITS.tiers.entries()) {
      const seen =
        w.prefixes[i]!.get(prefix(tag, tier.trailingDigits)) ?? new Map<string, number>();
      const wait = distinctWait(seen, tag, w.now, tier.windowMs, tier.max);
      if (wait !== undefined) {
        return { code: 'rate_limited', scope: 'prefix', retryAt: wait, by: `prefix${i}` };
      }
      const gone = w.approved.get(prefix(tag, tier.trailingDigits));
      if (i === 1 && gone) {
        // Coverage: room that only approvals made.
        const all = new Map([...gone, ...seen]);
        if (distinctWait(all, tag, w.now, tier.windowMs, tier.max) !== undefined) {
          w.seen.add('approval-freed');
        }
      }
    }
  }
  const g = counterWait(w.global, w.now, LIMITS.global.windowMs, LIMITS.global.max);
  if (g !== undefined) return { code: 'budget_exceeded', scope: 'global', retryAt: g };
  return undefined;
}

function record(w: World, r: number, phone: number, kind: 'start' | 'resend'): void {
  const tag = PHONES[phone]!;
  if (IPS[r] !== undefined) {
    w.reqDest[r]!.set(tag, w.now);
    w.reqSends[r]!.push(w.now);
  }
  if (kind === 'start') {
    for (const [i, tier] of LIMITS.tiers.entries()) {
      const p = prefix(tag, tier.trailingDigits);
      const seen = w.prefixes[i]!.get(p) ?? new Map<string, number>();
      seen.set(tag, w.now);
      w.prefixes[i]!.set(p, seen);
    }
    if (w.guard) {
      const g = guardOf(w, phone);
      g.sends.push(w.now);
      const k = `${requesterOf(r, phone)}|${phone}`;
      g.unconverted.delete(k);
      g.unconverted.set(k, w.now);
    }
  }
  w.global.push(w.now);
}

function compare(
  real: Result<unknown, VerifyError>,
  abuse: Refusal,
  phone: M.Expect | undefined,
  label: string,
) {
  const got = real.isOk()
    ? { ok: true }
    : { code: real.error.code, scope: real.error.scope, retryAfter: real.error.retryAfter };
  let want: Record<string, unknown>;
  if (abuse) {
    const retryAfter = Number.isFinite(abuse.retryAt)
      ? Math.max(1, Math.ceil(abuse.retryAt / 1000))
      : undefined;
    want = { code: abuse.code, scope: abuse.scope, retryAfter };
  } else if (phone && !phone.ok) {
    want = { code: phone.code, scope: scoped(phone.code), retryAfter: phone.retryAfter };
  } else want = { ok: true };
  expect(got, label).toEqual(want);
}

const scoped = (code: string) =>
  ['locked', 'send_limit_reached', 'resend_too_soon', 'max_attempts_reached'].includes(code)
    ? 'phone'
    : undefined;

type Cmd = fc.AsyncCommand<World, World>;

const startCmd = (r: number, phone: number): Cmd => ({
  check: () => true,
  async run(_m, w) {
    const before = w.outbox.messages.length;
    const context = IPS[r] === undefined ? {} : { context: { ip: IPS[r] } };
    const res = await w.verifier.start({ phone: PHONES[phone]!, ...context });
    const sent = w.outbox.messages.slice(before);
    const abuse = abuseRefusal(w, r, phone, 'start');
    if (abuse) w.seen.add(abuse.by ?? abuse.code);
    // Refused after the guard reserved (another budget, or the phone's own limits): undone.
    if (w.guard && res.isErr() && !abuse?.by?.startsWith('guard')) w.seen.add('undone');
    const id = res.isOk() ? res.value.id : 'never';
    const expected = abuse
      ? undefined
      : M.start(w.phones[phone]!, w.now, 'verify', id, sent[0]?.code ?? '', IPS[r] ?? '');
    compare(
      res,
      abuse && { ...abuse, retryAt: abuse.retryAt - w.now },
      expected,
      `start(${r}, ${phone})`,
    );
    if (res.isOk()) {
      record(w, r, phone, 'start');
      w.started.push({ phone, id });
    }
    expect(sent).toHaveLength(res.isOk() ? 1 : 0);
  },
  toString: () => `start(${r}, ${phone})`,
});

const resendCmd = (r: number, pick: number): Cmd => ({
  check: (w) => w.started.length > 0,
  async run(_m, w) {
    const s = w.started[pick % w.started.length]!;
    const p = w.phones[s.phone]!;
    M.settle(p, w.now);
    const v = p.list.find((x) => x.id === s.id);
    // The wrapper budgets a resend only for a pending, unexpired verification.
    if (v?.status !== 'pending' || v.expiresAt <= w.now) return;
    const before = w.outbox.messages.length;
    const context = IPS[r] === undefined ? {} : { context: { ip: IPS[r] } };
    const res = await w.verifier.resend({ id: s.id, ...context });
    const sent = w.outbox.messages.slice(before);
    const abuse = abuseRefusal(w, r, s.phone, 'resend');
    if (abuse?.by === 'guard') w.seen.add('guard-resend');
    const expected = abuse
      ? undefined
      : M.resend(p, w.now, s.id, sent[0]?.code ?? '', IPS[r] ?? '');
    compare(
      res,
      abuse && { ...abuse, retryAt: abuse.retryAt - w.now },
      expected,
      `resend(${r}, ${pick})`,
    );
    if (res.isOk()) record(w, r, s.phone, 'resend');
    expect(sent).toHaveLength(res.isOk() ? 1 : 0);
  },
  toString: () => `resend(${r}, ${pick})`,
});

const checkCmd = (pick: number, right: boolean): Cmd => ({
  check: (w) => w.started.length > 0,
  async run(_m, w) {
    const s = w.started[pick % w.started.length]!;
    const p = w.phones[s.phone]!;
    M.settle(p, w.now);
    const v = p.list.find((x) => x.id === s.id);
    const latest =
      w.outbox.messages.filter((m) => m.verificationId === s.id).at(-1)?.code ?? '000000';
    const code = right ? latest : wrong(latest);
    const res = await w.verifier.check({ id: s.id, code });
    const expected = M.check(p, w.now, v, code);
    expect(res.isOk(), `check(${pick}, ${right})`).toBe(expected.ok);
    if (!res.isOk() && !expected.ok) expect(res.error.code).toBe(expected.code);
    if (res.isOk()) {
      // A verified number stops counting toward its prefixes.
      const tag = PHONES[s.phone]!;
      const p6 = prefix(tag, LIMITS.tiers[1]!.trailingDigits);
      const last = w.prefixes[1]!.get(p6)?.get(tag);
      if (last !== undefined) w.approved.set(p6, (w.approved.get(p6) ?? new Map()).set(tag, last));
      for (const m of w.prefixes) for (const seen of m.values()) seen.delete(tag);
      // An approval counts toward the conversion of its prefix.
      if (w.guard) {
        const g = guardOf(w, s.phone);
        g.approvals.push(w.now);
        for (const k of g.unconverted.keys())
          if (k.endsWith(`|${s.phone}`)) g.unconverted.delete(k);
      }
    }
  },
  toString: () => `check(${pick}, ${right})`,
});

const advanceCmd = (ms: number): Cmd => ({
  check: () => true,
  async run(_m, w) {
    w.now += ms;
  },
  toString: () => `advance(${ms})`,
});

const commands = [
  fc.tuple(fc.nat(IPS.length - 1), fc.nat(PHONES.length - 1)).map(([r, p]) => startCmd(r, p)),
  fc.tuple(fc.nat(IPS.length - 1), fc.nat(PHONES.length - 1)).map(([r, p]) => startCmd(r, p)),
  fc.tuple(fc.nat(IPS.length - 1), fc.nat(30)).map(([r, i]) => resendCmd(r, i)),
  fc.tuple(fc.nat(30), fc.boolean()).map(([i, right]) => checkCmd(i, right)),
  fc
    .constantFrom(1_000, 31_000, 61_000, 5 * 60_000, 11 * 60_000, 20 * 60_000, HOUR + 1, DAY + 1)
    .map(advanceCmd),
];

function world(guard: Guarded | undefined): World {
  const w = {
    now: 1_700_000_000_000,
    phones: PHONES.map(() => M.newPhone()),
    started: [],
    reqDest: IPS.map(() => new Map()),
    reqSends: IPS.map(() => []),
    prefixes: LIMITS.tiers.map(() => new Map()),
    global: [],
    guard,
    guards: new Map(),
    seen: new Set(),
    approved: new Map(),
  } as unknown as World;
  w.outbox = outboxSender();
  w.verifier = createVerifier({
    secret: 'abuse-model-secret-abuse-model-secret!',
    store: memoryStore({ now: () => w.now }),
    sender: w.outbox,
    now: () => w.now,
    abuse: {
      requesters: {
        ip: { destinations: [LIMITS.dest], sends: [LIMITS.sends], checks: [] },
        deviceId: false,
        userId: false,
      },
      prefixes: LIMITS.tiers,
      global: { messagesPerDay: LIMITS.global.max },
      conversion: guard ? conversionOptions(guard) : false,
    },
  });
  return w;
}

/** Safety, independent of the model: no budget was ever exceeded in any rolling window. */
function assertBudgets(w: World): void {
  const sent = w.outbox.messages.length;
  expect(sent).toBe(w.global.length);
  for (const t of w.global) {
    expect(w.global.filter((x) => x >= t && x < t + DAY).length).toBeLessThanOrEqual(
      LIMITS.global.max,
    );
  }
  for (const times of w.reqSends) {
    for (const t of times) {
      expect(times.filter((x) => x >= t && x < t + HOUR).length).toBeLessThanOrEqual(
        LIMITS.sends.max,
      );
    }
  }
}

describe('abuse budgets against a model', () => {
  it('the numbers are valid and lie in the intended prefixes', () => {
    for (const p of PHONES) expect(normalizePhone(p)._unsafeUnwrap().number).toBe(p);
    expect(prefix(PHONES[0]!, 4)).toBe(prefix(PHONES[2]!, 4));
    expect(prefix(PHONES[0]!, 4)).not.toBe(prefix(PHONES[3]!, 4));
    expect(prefix(PHONES[0]!, 6)).toBe(prefix(PHONES[4]!, 6));
    // A third 4-digit prefix under the same 6 digits: the 6-digit limit can refuse first.
    expect(prefix(PHONES[5]!, 6)).toBe(prefix(PHONES[0]!, 6));
    expect(new Set([0, 3, 5].map((i) => prefix(PHONES[i]!, 4))).size).toBe(3);
  });

  it.each([
    { name: 'no conversion guard', guard: undefined, reach: ['prefix0', 'prefix1'] },
    {
      // minSends out of reach: the guard never pauses, only the velocity log in its record acts.
      name: 'conversion guard that never pauses (merged velocity log)',
      guard: { ...GUARD, minSends: 1_000_000 },
      reach: ['prefix0', 'prefix1', 'undone', 'approval-freed'],
    },
    {
      name: 'conversion guard that pauses (merged record)',
      guard: GUARD,
      reach: [
        'prefix1',
        'guard',
        'guard-trip',
        'guard-probe',
        'guard-resend',
        'guard-over-velocity',
        'guard-excluded',
        'guard-few-requesters',
      ],
    },
  ])(
    '$name: agrees on every answer (code, scope, retryAfter) and never exceeds a budget',
    async ({ guard, reach }) => {
      const met = new Map<string, number>();
      const taken = () => reach.every((x) => (met.get(x) ?? 0) > 0);
      // Batches of RUNS until every path the configuration is for was taken, at most 5: the
      // rarest (guard-probe) is met in 1-3% of runs, so one batch of 200 missed it about once
      // in 20 CI runs; five batches miss it about once in 10^6 (a path never taken still fails).
      for (let batch = 0; batch < 5 && (batch === 0 || (RUNS >= 100 && !taken())); batch += 1) {
        await fc.assert(
          fc.asyncProperty(
            fc.commands(commands, { maxCommands: 120, size: 'max' }),
            async (cmds) => {
              const w = world(guard);
              await fc.asyncModelRun(() => ({ model: w, real: w }), cmds);
              assertBudgets(w);
              for (const x of w.seen) met.set(x, (met.get(x) ?? 0) + 1);
            },
          ),
          { numRuns: RUNS },
        );
      }
      // The paths the configuration is for were taken (prefix1: the 6-digit velocity limit).
      // (Skipped for a handful of runs.)
      if (RUNS >= 100) for (const x of reach) expect(met.get(x) ?? 0, x).toBeGreaterThan(0);
    },
  );
});
