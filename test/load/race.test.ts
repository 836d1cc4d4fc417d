/**
 * Multi-process races on every backend in the registry that other processes can share
 * (Redis, PostgreSQL, a SQLite file): 4 worker processes (each with several
 * independent clients and stores) fire 250 concurrent calls each at one verification or
 * one phone. Exactly the policy's limit may be evaluated: checks, sends, failures.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../adapters/sqlite/testing';
import type { PolicyOptions } from '../../src/core/policy';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { BACKENDS } from '../registry';
import { withoutAbuse } from './services';
import type { RaceJob, WorkerMessage } from './worker';

const WORKERS = 4;
const PER_WORKER = 250;
const secret = 'race-secret-race-secret-race-secret!!';
const phone = '+12133734253';
const HOUR = 3_600_000;

let workers: ChildProcess[] = [];

function next(w: ChildProcess, type: WorkerMessage['type']): Promise<WorkerMessage> {
  return new Promise((resolve, reject) => {
    const on = (m: WorkerMessage) => {
      if (m.type === type || m.type === 'failed') {
        w.off('message', on);
        if (m.type === 'failed') reject(new Error(`worker ${w.pid}: ${m.error}`));
        else resolve(m);
      }
    };
    w.on('message', on);
  });
}

/** Runs `job` in every worker at once; returns the summed outcomes and deliveries. */
async function race(job: RaceJob) {
  const ready = workers.map((w) => next(w, 'ready'));
  for (const w of workers) w.send({ type: 'prepare', job });
  await Promise.all(ready);
  const done = workers.map((w) => next(w, 'done'));
  for (const w of workers) w.send({ type: 'go' });
  const reports = (await Promise.all(done)) as Array<Extract<WorkerMessage, { type: 'done' }>>;
  const outcomes: Record<string, number> = {};
  let delivered = 0;
  const causes = new Set<string>();
  for (const r of reports) {
    delivered += r.delivered;
    for (const c of r.causes) causes.add(c);
    for (const [k, n] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + n;
  }
  return { outcomes, delivered, causes: [...causes] };
}

beforeAll(() => {
  const path = fileURLToPath(new URL('./worker.ts', import.meta.url));
  workers = Array.from({ length: WORKERS }, () =>
    fork(path, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
});
afterAll(() => {
  for (const w of workers) w.send({ type: 'exit' });
});

const dir = tempDir('phoneproof-race-');
afterAll(() => dir.remove());

/** The backends other processes can share, each with whether it answers. */
const backends = await Promise.all(
  BACKENDS.flatMap(({ name, shared, available }) =>
    shared ? [available().then((up) => ({ name, shared, up }))] : [],
  ),
);

describe.each(backends)('$name: 4 processes racing', (b) => {
  const url = b.shared.location(dir.dir);
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });
  /** A fresh namespace shared with the workers, and a store over it in this process. */
  const fresh = async () => {
    const f = await b.shared.fresh(url);
    closers.push(f.close);
    return f;
  };
  const job = (
    namespace: string,
    rest: Omit<RaceJob, 'backend' | 'url' | 'namespace' | 'secret' | 'instances' | 'count'>,
  ): RaceJob => ({
    backend: b.name,
    url,
    namespace,
    secret,
    instances: 2,
    count: PER_WORKER,
    ...rest,
  });

  it.skipIf(!b.up)('1000 concurrent wrong guesses: exactly maxChecks are evaluated', async () => {
    const { namespace, store } = await fresh();
    const outbox = outboxSender();
    const v = createVerifier({ secret, store, sender: outbox, ...withoutAbuse });
    const s = (await v.start({ phone }))._unsafeUnwrap();
    const code = outbox.last()!.code;
    const wrong = code === '000000' ? '111111' : '000000';
    const { outcomes, causes } = await race(
      job(namespace, { policy: {}, op: 'check', ids: [s.id], code: wrong }),
    );
    expect(causes).toEqual([]);
    expect(outcomes.code_mismatch).toBe(5);
    expect(outcomes.ok).toBeUndefined();
    expect(outcomes.store_unavailable).toBeUndefined();
    expect(Object.values(outcomes).reduce((a, n) => a + n, 0)).toBe(WORKERS * PER_WORKER);
    const st = (await v.status({ id: s.id }))._unsafeUnwrap();
    expect(st).toMatchObject({ status: 'failed', attemptsLeft: 0 });
    expect((await v.check({ id: s.id, code }))._unsafeUnwrapErr().code).toBe(
      'max_attempts_reached',
    );
  });

  it.skipIf(!b.up)('1000 concurrent resends: exactly the send window is delivered', async () => {
    const policy: PolicyOptions = {
      resendCooldownMs: 0,
      maxResendCooldownMs: 0,
      maxSends: 100,
      sendWindows: [{ windowMs: HOUR, max: 6 }],
    };
    const { namespace, store } = await fresh();
    const v = createVerifier({ secret, store, sender: outboxSender(), policy, ...withoutAbuse });
    const s = (await v.start({ phone }))._unsafeUnwrap();
    const { outcomes, delivered, causes } = await race(
      job(namespace, { policy, op: 'resend', ids: [s.id], code: '' }),
    );
    expect(causes).toEqual([]);
    expect(outcomes.ok).toBe(5); // 6 in the window, the start included
    expect(delivered).toBe(5);
    // The rest are refused; `resend_too_soon` appears when one process's clock reads a
    // millisecond behind the send another process just recorded (cooldown 0).
    const refused = (outcomes.send_limit_reached ?? 0) + (outcomes.resend_too_soon ?? 0);
    expect(refused).toBe(WORKERS * PER_WORKER - 5);
    expect((await v.status({ id: s.id }))._unsafeUnwrap().sendsLeft).toBe(100 - 6);
    expect((await v.start({ phone, purpose: 'other' }))._unsafeUnwrapErr().code).toBe(
      'send_limit_reached',
    );
  });

  it.skipIf(!b.up)(
    '1000 concurrent failing checks on 10 verifications: the lock engages at exactly the threshold',
    async () => {
      const policy: PolicyOptions = {
        maxChecks: 1,
        lockout: { threshold: 3 },
        maxVerificationsPerPhone: 20,
        // Room for the 11 sends of this test, within the policy floor.
        sendWindows: [
          { windowMs: HOUR, max: 20 },
          { windowMs: 24 * HOUR, max: 20 },
        ],
      };
      const { namespace, store } = await fresh();
      const outbox = outboxSender();
      const v = createVerifier({ secret, store, sender: outbox, policy, ...withoutAbuse });
      const ids: string[] = [];
      for (let i = 0; i < 10; i += 1) {
        ids.push((await v.start({ phone, purpose: `p${i}` }))._unsafeUnwrap().id);
      }
      const codes = new Set(outbox.messages.map((m) => m.code));
      let wrong = '000000';
      while (codes.has(wrong)) wrong = String(Number(wrong) + 111_111).padStart(6, '0');
      const { outcomes, causes } = await race(
        job(namespace, { policy, op: 'check', ids, code: wrong }),
      );
      expect(causes).toEqual([]);
      expect(outcomes.code_mismatch).toBe(3);
      expect(outcomes.ok).toBeUndefined();
      expect(outcomes.store_unavailable).toBeUndefined();
      const statuses = await Promise.all(
        ids.map(async (id) => (await v.status({ id }))._unsafeUnwrap()),
      );
      expect(statuses.filter((x) => x.status === 'failed')).toHaveLength(3);
      expect(statuses.every((x) => x.lockedUntil !== null)).toBe(true);
      expect((await v.start({ phone, purpose: 'after' }))._unsafeUnwrapErr().code).toBe('locked');
      const pending = outbox.messages.find(
        (m) => m.verificationId === statuses.find((x) => x.status === 'pending')!.id,
      )!;
      expect(
        (await v.check({ id: pending.verificationId, code: pending.code }))._unsafeUnwrapErr().code,
      ).toBe('locked');
    },
  );
});
