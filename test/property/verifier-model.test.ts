/**
 * Model-based test: random sequences of start / resend / right and wrong checks / cancel /
 * status / time jumps run against the real verifier (memory store, fake clock) and against
 * the reference model in `test/support/model.ts`; every answer must match, and the safety
 * invariants are asserted directly as well. Calls come from two requester addresses and from
 * none (the application's own calls), so the requester binding, shares and locks are run too.
 */
import fc from 'fast-check';
import type { Result } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { createVerifier, type VerifyError } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import * as M from '../support/model';
import { wrong } from '../support/setup';

const PHONES = ['+12133734253', '+33612345678'];
const PURPOSES = ['verify', 'login'];
const HOUR = 3_600_000;
/** Requesters: none (the application's own call) and two addresses. */
const REQS = [undefined, '192.0.2.1', '2001:db8::1'] as const;
const ctx = (r: number) => (REQS[r] === undefined ? {} : { context: { ip: REQS[r] } });
const byOf = (r: number) => REQS[r] ?? '';

interface World {
  now: number;
  verifier: ReturnType<typeof createVerifier>;
  outbox: ReturnType<typeof outboxSender>;
  phones: M.MPhone[];
  /** Started verifications: index -> phone index and id. */
  started: Array<{ phone: number; id: string }>;
  /** Evaluated checks (mismatch or approval) per verification id. */
  evaluated: Map<string, number>;
  /** Send times per phone, from the outbox, with their verification. */
  sendTimes: Array<Array<{ at: number; id: string }>>;
  /** Verifications approved by their first check after one send (their send is given back). */
  givenBack: Set<string>;
  /** Codes that were approved, per verification id. */
  approvedCodes: Map<string, string>;
}

function compare(real: Result<unknown, VerifyError>, expected: M.Expect, label: string): void {
  if (expected.ok) {
    if (real.isErr()) throw new Error(`${label}: expected ok, got ${real.error.code}`);
    expect(real.value, label).toMatchObject(expected.value);
  } else {
    if (real.isOk()) throw new Error(`${label}: expected ${expected.code}, got ok`);
    expect(
      {
        code: real.error.code,
        retryAfter: real.error.retryAfter,
        attemptsLeft: real.error.attemptsLeft,
      },
      label,
    ).toEqual({
      code: expected.code,
      retryAfter: expected.retryAfter,
      attemptsLeft: expected.attemptsLeft,
    });
  }
}

function countEvaluated(w: World, id: string | undefined, r: Result<unknown, VerifyError>): void {
  if (!id) return;
  if (r.isOk() || r.error.code === 'code_mismatch') {
    w.evaluated.set(id, (w.evaluated.get(id) ?? 0) + 1);
    expect(w.evaluated.get(id)).toBeLessThanOrEqual(M.LIMITS.maxChecks);
  }
}

type Cmd = fc.AsyncCommand<World, World>;

const startCmd = (phone: number, purpose: string, q: number): Cmd => ({
  check: () => true,
  async run(_m, w) {
    const before = w.outbox.messages.length;
    const r = await w.verifier.start({ phone: PHONES[phone]!, purpose, ...ctx(q) });
    const sent = w.outbox.messages.slice(before);
    const id = r.isOk() ? r.value.id : `never-${w.started.length}`;
    const expected = M.start(w.phones[phone]!, w.now, purpose, id, sent[0]?.code ?? '', byOf(q));
    compare(r, expected, `start(${phone}, ${purpose}, ${q})`);
    if (r.isOk()) {
      expect(sent).toHaveLength(1);
      w.started.push({ phone, id });
      w.sendTimes[phone]!.push({ at: w.now, id });
    } else expect(sent).toHaveLength(0);
  },
  toString: () => `start(${phone}, ${purpose}, ${q})`,
});

const resendCmd = (pick: number, q: number): Cmd => ({
  check: (w) => w.started.length > 0,
  async run(_m, w) {
    const s = w.started[pick % w.started.length]!;
    const before = w.outbox.messages.length;
    const r = await w.verifier.resend({ id: s.id, ...ctx(q) });
    const sent = w.outbox.messages.slice(before);
    compare(
      r,
      M.resend(w.phones[s.phone]!, w.now, s.id, sent[0]?.code ?? '', byOf(q)),
      `resend(${pick}, ${q})`,
    );
    if (r.isOk()) w.sendTimes[s.phone]!.push({ at: w.now, id: s.id });
    expect(sent).toHaveLength(r.isOk() ? 1 : 0);
  },
  toString: () => `resend(${pick}, ${q})`,
});

/** Notes a verification approved by its first check after one send. */
function noteApproval(w: World, v: M.MVerification | undefined, ok: boolean): void {
  if (ok && v && v.checks === 1 && v.sends === 1) w.givenBack.add(v.id);
}

const checkIdCmd = (pick: number, right: boolean, q: number): Cmd => ({
  check: (w) => w.started.length > 0,
  async run(_m, w) {
    const s = w.started[pick % w.started.length]!;
    const p = w.phones[s.phone]!;
    M.settle(p, w.now);
    const found = p.list.find((x) => x.id === s.id);
    const v = found && M.owns(found, byOf(q)) ? found : undefined;
    const latest =
      w.outbox.messages.filter((m) => m.verificationId === s.id).at(-1)?.code ?? '000000';
    const code = right ? latest : wrong(latest);
    const r = await w.verifier.check({ id: s.id, code, ...ctx(q) });
    compare(r, M.check(p, w.now, v, code), `check(${pick}, ${right}, ${q})`);
    noteApproval(w, v, r.isOk());
    if (!right) expect(r.isOk(), 'a wrong code was approved').toBe(false);
    const used = w.approvedCodes.get(s.id);
    if (used !== undefined) expect(r.isOk(), 'an approved code was accepted again').toBe(false);
    if (r.isOk()) w.approvedCodes.set(s.id, code);
    countEvaluated(w, s.id, r);
  },
  toString: () => `checkId(${pick}, ${right}, ${q})`,
});

const checkPhoneCmd = (phone: number, purpose: string, right: boolean, q: number): Cmd => ({
  check: () => true,
  async run(_m, w) {
    const p = w.phones[phone]!;
    M.settle(p, w.now);
    const target = M.targetOf(p, purpose, byOf(q));
    const latest = target
      ? (w.outbox.messages.filter((m) => m.verificationId === target.id).at(-1)?.code ?? '000000')
      : '123456';
    const code = right ? latest : wrong(latest);
    const r = await w.verifier.check({ phone: PHONES[phone]!, purpose, code, ...ctx(q) });
    compare(r, M.check(p, w.now, target, code), `checkPhone(${phone}, ${purpose}, ${right}, ${q})`);
    noteApproval(w, target, r.isOk());
    if (!right) expect(r.isOk(), 'a wrong code was approved').toBe(false);
    if (r.isOk()) expect(r.value.phone).toBe(PHONES[phone]);
    countEvaluated(w, target?.id, r);
  },
  toString: () => `checkPhone(${phone}, ${purpose}, ${right}, ${q})`,
});

const cancelCmd = (pick: number, q: number): Cmd => ({
  check: (w) => w.started.length > 0,
  async run(_m, w) {
    const s = w.started[pick % w.started.length]!;
    compare(
      await w.verifier.cancel({ id: s.id, ...ctx(q) }),
      M.cancel(w.phones[s.phone]!, w.now, s.id, byOf(q)),
      `cancel(${pick}, ${q})`,
    );
  },
  toString: () => `cancel(${pick}, ${q})`,
});

const statusCmd = (pick: number): Cmd => ({
  check: (w) => w.started.length > 0,
  async run(_m, w) {
    const s = w.started[pick % w.started.length]!;
    compare(
      await w.verifier.status({ id: s.id }),
      M.status(w.phones[s.phone]!, w.now, s.id),
      `status(${pick})`,
    );
  },
  toString: () => `status(${pick})`,
});

const advanceCmd = (ms: number): Cmd => ({
  check: () => true,
  async run(_m, w) {
    w.now += ms;
  },
  toString: () => `advance(${ms})`,
});

const req = fc.nat(REQS.length - 1);
const commands = [
  fc.tuple(fc.nat(1), fc.constantFrom(...PURPOSES), req).map(([p, u, q]) => startCmd(p, u, q)),
  fc.tuple(fc.nat(20), req).map(([i, q]) => resendCmd(i, q)),
  fc.tuple(fc.nat(20), fc.boolean(), req).map(([i, r, q]) => checkIdCmd(i, r, q)),
  fc.tuple(fc.nat(20), fc.constant(false), req).map(([i, r, q]) => checkIdCmd(i, r, q)),
  fc
    .tuple(fc.nat(1), fc.constantFrom(...PURPOSES), fc.boolean(), req)
    .map(([p, u, r, q]) => checkPhoneCmd(p, u, r, q)),
  fc.tuple(fc.nat(20), req).map(([i, q]) => cancelCmd(i, q)),
  fc.nat(20).map(statusCmd),
  fc
    .constantFrom(
      1_000,
      31_000,
      61_000,
      5 * 60_000,
      11 * 60_000,
      16 * 60_000,
      HOUR + 1,
      24 * HOUR + 1,
    )
    .map(advanceCmd),
];

function world(): World {
  const w = {
    now: 1_700_000_000_000,
    phones: PHONES.map(() => M.newPhone()),
    started: [],
    evaluated: new Map(),
    sendTimes: PHONES.map(() => []),
    givenBack: new Set(),
    approvedCodes: new Map(),
  } as unknown as World;
  const outbox = outboxSender();
  w.outbox = outbox;
  w.verifier = createVerifier({
    secret: 'model-test-secret-model-test-secret!',
    store: memoryStore({ now: () => w.now }),
    sender: outbox,
    now: () => w.now,
  });
  return w;
}

/** The phone's windows hold for every send but those given back after a first-check approval. */
function assertWindows(w: World): void {
  for (const sent of w.sendTimes) {
    const times = sent.filter((x) => !w.givenBack.has(x.id)).map((x) => x.at);
    for (const t of times) {
      expect(times.filter((x) => x > t - HOUR && x <= t).length).toBeLessThanOrEqual(5);
      expect(times.filter((x) => x > t - 24 * HOUR && x <= t).length).toBeLessThanOrEqual(10);
    }
  }
}

describe('verifier against the reference model', () => {
  it('agrees on every answer and keeps the safety invariants', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 120, size: 'max' }), async (cmds) => {
        const w = world();
        await fc.asyncModelRun(() => ({ model: w, real: w }), cmds);
        assertWindows(w);
      }),
      { numRuns: 300 },
    );
  });
});
