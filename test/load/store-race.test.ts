/**
 * Multi-process races of `updateMany` on every backend other processes can share (Redis,
 * PostgreSQL, a SQLite file): 3 worker processes, each with 3 store instances, fire batched
 * increments over overlapping key sets and transfers between keys at once. Every counter
 * ends exact and the transfers keep their total: no lost update, no partial batch.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../adapters/sqlite/testing';
import { BACKENDS } from '../registry';
import type { StoreRaceJob } from './store-race-worker';

const WORKERS = 3;
const INCREMENTS = 60;
const TRANSFERS = 60;

type Message =
  | { type: 'ready' }
  | { type: 'done'; moved: number }
  | { type: 'failed'; error: string };

let workers: ChildProcess[] = [];

function next(w: ChildProcess, type: Message['type']): Promise<Message> {
  return new Promise((resolve, reject) => {
    const on = (m: Message) => {
      if (m.type === type || m.type === 'failed') {
        w.off('message', on);
        if (m.type === 'failed') reject(new Error(`worker ${w.pid}: ${m.error}`));
        else resolve(m);
      }
    };
    w.on('message', on);
  });
}

beforeAll(() => {
  const path = fileURLToPath(new URL('./store-race-worker.ts', import.meta.url));
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

const dir = tempDir('phoneproof-store-race-');
afterAll(() => dir.remove());

const backends = await Promise.all(
  BACKENDS.flatMap(({ name, shared, available }) =>
    shared ? [available().then((up) => ({ name, shared, up }))] : [],
  ),
);

describe.each(backends)('updateMany races across processes: $name', ({ name, shared, up }) => {
  it.skipIf(!up)(
    'counters end exact and transfers keep their total',
    async () => {
      const location = shared.location(dir.dir);
      const { store, namespace, close } = await shared.fresh(location);
      try {
        await store.updateMany(['t:1', 't:2', 't:3'], () => ({
          result: 0,
          writes: ['20', '20', '20'].map((value) => ({ value, ttlMs: 60_000 })),
        }));
        const job: StoreRaceJob = {
          backend: name,
          location,
          namespace,
          instances: 3,
          increments: INCREMENTS,
          transfers: TRANSFERS,
        };
        const ready = workers.map((w) => next(w, 'ready'));
        for (const w of workers) w.send({ type: 'prepare', job });
        await Promise.all(ready);
        const done = workers.map((w) => next(w, 'done'));
        for (const w of workers) w.send({ type: 'go' });
        await Promise.all(done);
        // Per worker, set i % 3 gets INCREMENTS / 3 batches: x in sets 0 and 2, y in all, z in 1 and 2.
        const per = (WORKERS * INCREMENTS) / 3;
        const counters = await Promise.all(['c:x', 'c:y', 'c:z'].map((k) => store.get(k)));
        expect(counters).toEqual([String(2 * per), String(3 * per), String(2 * per)]);
        const accounts = await Promise.all(['t:1', 't:2', 't:3'].map((k) => store.get(k)));
        expect(accounts.reduce((sum, v) => sum + Number(v ?? 0), 0)).toBe(60);
      } finally {
        await close();
      }
    },
    120_000,
  );
});
