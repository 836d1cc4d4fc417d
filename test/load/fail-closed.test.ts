/**
 * Fail closed: the private server of each backend in the registry that has one (`served`:
 * Redis, PostgreSQL) is stopped in the middle of a load.
 * Every answer must be `store_unavailable` or the correct one, nothing is approved wrongly,
 * no rejection goes unhandled, and once the server is back the same app (same client or
 * pool, same verifier) serves again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, type Verifier } from '../../src/index';
import type { Store } from '../../src/ports/store';
import { outboxSender } from '../../src/senders/outbox';
import { BACKENDS } from '../registry';
import type { PrivateServer } from './servers';
import { withoutAbuse } from './services';

const secret = 'fail-closed-secret-fail-closed-secret!';
const policy = { sendWindows: [{ windowMs: 3_600_000, max: 1000 }] };
const SESSIONS = 20;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

type Op = 'start' | 'wrong' | 'right';
interface Answer {
  op: Op;
  outcome: string;
}

/** What each operation may answer (besides `store_unavailable`). */
const allowed: Record<Op, string[]> = {
  start: ['ok'],
  wrong: ['code_mismatch', 'not_found'], // not_found: a Redis restart without persistence lost it
  right: ['ok', 'not_found'],
};

class Load {
  readonly answers: Answer[] = [];
  readonly started: Array<{ id: string; code: string; phone: string }> = [];
  private readonly outbox = outboxSender();
  readonly v: Verifier;
  private n = 0;
  onAnswer: (count: number) => void = () => {};

  constructor(store: Store) {
    // Generous windows for the load: below the policy floor, so opted in.
    this.v = createVerifier({
      secret,
      store,
      sender: this.outbox,
      policy,
      unsafe: { weakPolicy: true },
      ...withoutAbuse,
    });
  }

  private record(op: Op, outcome: string) {
    this.answers.push({ op, outcome });
    this.onAnswer(this.answers.length);
  }

  /** start, one wrong check, the right check; each answer recorded and judged later. */
  async session(): Promise<void> {
    const phone = `+1213373${String(1000 + (this.n++ % 9000)).padStart(4, '0')}`;
    const s = await this.v.start({ phone });
    this.record('start', s.isOk() ? 'ok' : s.error.code);
    if (s.isErr()) return;
    const code = this.outbox.last(phone)!.code;
    this.started.push({ id: s.value.id, code, phone });
    const wrong = code === '000000' ? '111111' : '000000';
    const w = await this.v.check({ id: s.value.id, code: wrong });
    this.record('wrong', w.isOk() ? 'APPROVED A WRONG CODE' : w.error.code);
    const r = await this.v.check({ id: s.value.id, code });
    if (r.isOk() && (r.value.phone !== phone || r.value.id !== s.value.id)) {
      this.record('right', 'APPROVED THE WRONG NUMBER');
    } else this.record('right', r.isOk() ? 'ok' : r.error.code);
  }

  round(): Promise<void> {
    return Promise.all(Array.from({ length: SESSIONS }, () => this.session())).then(() => {});
  }

  /** Answers that are neither allowed nor `store_unavailable`. */
  wrongAnswers(from = 0): Answer[] {
    return this.answers
      .slice(from)
      .filter((a) => a.outcome !== 'store_unavailable' && !allowed[a.op].includes(a.outcome));
  }
}

function tally(answers: Answer[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const a of answers) t[`${a.op}:${a.outcome}`] = (t[`${a.op}:${a.outcome}`] ?? 0) + 1;
  return t;
}

async function failClosed(server: PrivateServer, store: Store): Promise<void> {
  const load = new Load(store);
  // Up: two clean rounds.
  await load.round();
  await load.round();
  expect(load.wrongAnswers()).toEqual([]);
  expect(load.answers.every((a) => a.outcome !== 'store_unavailable')).toBe(true);

  // Stop the server while a round is in flight.
  const before = load.answers.length;
  let stopping: Promise<void> | undefined;
  load.onAnswer = (count) => {
    if (count === before + 25) stopping = server.stop();
  };
  await load.round();
  await stopping;
  load.onAnswer = () => {};

  // Down: every operation, old or new, answers store_unavailable.
  const down = load.answers.length;
  await load.round();
  const old = load.started.slice(0, 10);
  const checks = await Promise.all(old.map((s) => load.v.check({ id: s.id, code: s.code })));
  const statuses = await Promise.all(old.map((s) => load.v.status({ id: s.id })));
  expect(load.answers.slice(down).map((a) => a.outcome)).toEqual(
    Array(SESSIONS).fill('store_unavailable'),
  );
  for (const r of [...checks, ...statuses]) {
    expect(r.isErr() && r.error.code).toBe('store_unavailable');
  }

  // Back: the same verifier, store and client serve again.
  await server.start();
  let back = false;
  for (let i = 0; i < 100 && !back; i += 1) {
    back = (await load.v.status({ id: 'x'.repeat(40) })).match(
      () => true,
      (e) => e.code !== 'store_unavailable',
    );
    if (!back) await sleep(100);
  }
  expect(back).toBe(true);
  const after = load.answers.length;
  await load.round();
  expect(tally(load.answers.slice(after))).toEqual({
    'start:ok': SESSIONS,
    'wrong:code_mismatch': SESSIONS,
    'right:ok': SESSIONS,
  });

  // Over the whole run: no wrong approval, nothing but allowed answers, nothing unhandled.
  expect(load.wrongAnswers()).toEqual([]);
  expect(load.answers.some((a) => a.outcome === 'store_unavailable')).toBe(true);
  expect(unhandled).toEqual([]);
}

const served = BACKENDS.flatMap(({ name, served }) => (served ? [{ name, served }] : []));

describe.each(served)('fail closed: $name stopped mid-load', ({ served }) => {
  const installed = served.installed();
  let server: PrivateServer;
  beforeAll(async () => {
    if (installed) server = await served.start();
  });
  afterAll(() => server?.dispose());

  it.skipIf(!installed)(
    'answers store_unavailable or correctly, approves nothing wrongly, and recovers',
    async () => {
      const { store, close } = await served.open(server.url);
      try {
        await failClosed(server, store);
      } finally {
        await close();
      }
    },
  );
});
