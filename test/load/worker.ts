/**
 * A worker process for the multi-process race tests (`race.test.ts`). It opens its own
 * stores over the shared data through the job's backend in test/registry.ts, builds its
 * verifiers, waits for `go`, fires its calls all at once and reports how many ended with
 * each outcome.
 * Run by the parent as `node --import tsx test/load/worker.ts`.
 * @internal test helper
 */
import type { PolicyOptions } from '../../src/core/policy';
import { createVerifier, type Verifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { type Backend, backendNamed } from '../registry';
import { withoutAbuse } from './services';

export interface RaceJob {
  /** A backend in test/registry.ts with a `shared` entry, which opens the store here. */
  readonly backend: Backend['name'];
  /** Where the data lives: the server URL, or the database file (SQLite). */
  readonly url: string;
  /** Key prefix (Redis) or table (PostgreSQL, SQLite). */
  readonly namespace: string;
  readonly secret: string;
  readonly policy: PolicyOptions;
  /** Independent clients+stores in this process (each races the others). */
  readonly instances: number;
  readonly op: 'check' | 'resend';
  /** Verification ids to spread the calls over (round robin). */
  readonly ids: readonly string[];
  readonly code: string;
  readonly count: number;
}

export type WorkerMessage =
  | { type: 'ready' }
  | {
      type: 'done';
      outcomes: Record<string, number>;
      delivered: number;
      approvedWith: string[];
      /** Distinct causes of store errors, for the failure message. */
      causes: string[];
    }
  | { type: 'failed'; error: string };

type ParentMessage = { type: 'prepare'; job: RaceJob } | { type: 'go' } | { type: 'exit' };

const send = (m: WorkerMessage) => process.send?.(m);

let job: RaceJob | undefined;
let verifiers: Verifier[] = [];
let closers: Array<() => Promise<unknown>> = [];
const outbox = outboxSender();

async function prepare(j: RaceJob) {
  job = j;
  verifiers = [];
  closers = [];
  const opener = backendNamed(j.backend).shared;
  if (!opener) throw new Error(`backend ${j.backend} is not shared between processes`);
  for (let i = 0; i < j.instances; i += 1) {
    const { store, close } = await opener.open(j.url, j.namespace);
    closers.push(close);
    await store.get('warm-up'); // connect before the race starts
    verifiers.push(
      createVerifier({
        secret: j.secret,
        store,
        sender: outbox,
        policy: j.policy,
        ...withoutAbuse,
      }),
    );
  }
  send({ type: 'ready' });
}

async function go() {
  const j = job!;
  const sentBefore = outbox.messages.length;
  const outcomes: Record<string, number> = {};
  const approvedWith: string[] = [];
  const causes = new Set<string>();
  await Promise.all(
    Array.from({ length: j.count }, async (_, i) => {
      const v = verifiers[i % verifiers.length]!;
      const id = j.ids[i % j.ids.length]!;
      const r = j.op === 'check' ? await v.check({ id, code: j.code }) : await v.resend({ id });
      const key = r.isOk() ? 'ok' : r.error.code;
      if (r.isErr() && r.error.code.startsWith('store_')) causes.add(String(r.error.cause));
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (r.isOk() && j.op === 'check') approvedWith.push(j.code);
    }),
  );
  await Promise.all(closers.map((c) => c()));
  const delivered = outbox.messages.length - sentBefore;
  send({ type: 'done', outcomes, delivered, approvedWith, causes: [...causes] });
}

process.on('message', (m: ParentMessage) => {
  const step = m.type === 'prepare' ? prepare(m.job) : m.type === 'go' ? go() : undefined;
  if (m.type === 'exit') process.exit(0);
  step?.catch((e: unknown) => send({ type: 'failed', error: String(e) }));
});
