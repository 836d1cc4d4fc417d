/**
 * Group commit on a shared store (issue 17): every start writes the country's record, so
 * concurrent starts from one process queue on that key; the store kit commits those waiting
 * together (adapters/store-kit/group.ts), so 16 concurrent starts to one country cost far
 * fewer than 16 writes (counted with test/support/count-commands.ts), and each still gets
 * its own verification and its own code.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, postgresStore } from '../../adapters/postgres/index';
import { dropStoreTable } from '../../adapters/postgres/testing';
import { redisStore } from '../../adapters/redis/index';
import { createVerifier, type Sender, type Store } from '../../src/index';
import { clearPrefix, pgPool, redisClient, runId, serviceAvailable } from '../load/services';
import { type CommandCounter, countPg, countRedis } from '../support/count-commands';

const SECRET = 'group-commit-cost-secret-0123456789abcdef';
const N = 16;
/** US area codes: one country, a prefix (and a requester) each, so no budget refuses. */
const AREAS = [201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218];
const context = (i: number) => ({ ip: `198.51.100.${i + 10}`, userAgent: 'group commit test' });

/** 16 concurrent starts to US numbers (one country), after a warm-up; what they cost. */
async function concurrentStarts(store: Store, counter: CommandCounter, line: string) {
  const codes = new Map<string, string>();
  const sender: Sender = {
    reportsCarryRef: true,
    async send(m) {
      codes.set(m.to, m.code);
      return { ok: true, messageId: `m-${codes.size}` };
    },
  };
  const verifier = createVerifier({ secret: SECRET, store, sender });
  (await verifier.start({ phone: `+1310373${line}`, context: context(99) }))._unsafeUnwrap();
  await new Promise((r) => setTimeout(r, 20));
  counter.take();
  const phones = AREAS.map((area) => `+1${area}373${line}`);
  const started = await Promise.all(
    phones.map((phone, i) => verifier.start({ phone, context: context(i) })),
  );
  await new Promise((r) => setTimeout(r, 20));
  const cost = counter.take();
  const ids = started.map((r) => r._unsafeUnwrap().id);
  expect(new Set(ids).size).toBe(N);
  for (const phone of phones) expect(codes.get(phone)).toMatch(/^\d{6}$/);
  return cost;
}

describe.skipIf(!(await serviceAvailable('redis')))('group commit: Redis', () => {
  const prefix = `${runId('pp-group')}:`;
  let client: Redis;
  let admin: Redis;
  beforeAll(() => {
    client = redisClient();
    admin = redisClient();
  });
  afterAll(async () => {
    await clearPrefix(admin, prefix);
    client.disconnect();
    admin.disconnect();
  });

  it('16 concurrent starts to one country from one process: far fewer than 16 commands', async () => {
    const counter = countRedis(client);
    const cost = await concurrentStarts(redisStore({ client, prefix }), counter, '4201');
    counter.restore();
    console.info('16 concurrent starts, Redis:', cost);
    expect(cost.commands.length).toBeLessThanOrEqual(N / 4);
  });
});

describe.skipIf(!(await serviceAvailable('postgres')))('group commit: PostgreSQL', () => {
  const table = runId('pp_group').replaceAll('-', '_').toLowerCase();
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = pgPool();
    await migrate(pool, { table });
  });
  afterAll(async () => {
    await dropStoreTable(pool, table);
    await pool.end();
  });

  it('16 concurrent starts to one country from one process: far fewer than 16 statements', async () => {
    const counted = countPg(pool);
    const store = postgresStore({ pool: counted.pool, table });
    const cost = await concurrentStarts(store, counted, '4301');
    console.info('16 concurrent starts, PostgreSQL:', cost);
    expect(cost.commands.length).toBeLessThanOrEqual(N / 4);
  });
});
