/**
 * What one operation costs on a shared store (issue 17), counted by wrapping the client
 * (test/support/count-commands.ts: every command or statement the library sends, and the
 * round trips they take): every default on (abuse defenses, proofs, the store's decision
 * clock) and the requester context the HTTP adapters pass (`ip`, `userAgent`). A `start` and
 * an approving `check` are one `updateMany` each: one command and one round trip once the
 * store's cache knows the records (warm), a batched read more when it does not (cold). A
 * key the cache does not know is guessed absent: on records nobody wrote yet (a new store,
 * the first number of a country), a process's first start is one command too.
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

const SECRET = 'operation-cost-secret-0123456789abcdef';
/** What the HTTP adapters' default `context` holds (no device-id header sent). */
const context = { ip: '198.51.100.7', userAgent: 'Mozilla/5.0 (cost test)' };

/** A sender whose delivery reports carry the ref (Twilio with a status callback, Vonage). */
function sender(carriesRef: boolean) {
  const codes = new Map<string, string>();
  const s: Sender = {
    ...(carriesRef ? { reportsCarryRef: true } : {}),
    async send(m) {
      codes.set(m.to, m.code);
      return { ok: true, messageId: `m-${codes.size}` };
    },
  };
  return { sender: s, codes };
}

/** One start and its approving check, each counted. */
async function costs(store: Store, counter: CommandCounter, phone: string, carriesRef = true) {
  const { sender: s, codes } = sender(carriesRef);
  const verifier = createVerifier({ secret: SECRET, store, sender: s });
  // Warm up: the decision clock's estimate, and the shared records (prefix, country, IP).
  const w = (await verifier.start({ phone: `${phone.slice(0, -1)}9`, context }))._unsafeUnwrap();
  const wcode = codes.get(`${phone.slice(0, -1)}9`)!;
  (await verifier.check({ id: w.id, code: wcode, context }))._unsafeUnwrap();
  await new Promise((r) => setTimeout(r, 20));
  counter.take();
  const started = (await verifier.start({ phone, context }))._unsafeUnwrap();
  const start = counter.take();
  const checked = await verifier.check({ id: started.id, code: codes.get(phone)!, context });
  expect(checked._unsafeUnwrap().proof).toEqual(expect.any(String));
  await new Promise((r) => setTimeout(r, 20)); // nothing may follow the answer
  const check = counter.take();
  return { start, check };
}

/**
 * A process's first start on records nobody wrote (a fresh store): warmed up (the decision
 * clock's estimate, the script loaded) by a start and check of another country, from
 * another requester, so no record of the counted start exists or is cached.
 */
async function firstStart(store: Store, counter: CommandCounter, phone: string) {
  const { sender: s, codes } = sender(true);
  const verifier = createVerifier({ secret: SECRET, store, sender: s });
  const other = { ip: '203.0.113.9', userAgent: 'Other/1.0 (cost test)' };
  const gb = '+447400123456';
  const w = (await verifier.start({ phone: gb, context: other }))._unsafeUnwrap();
  (await verifier.check({ id: w.id, code: codes.get(gb)!, context: other }))._unsafeUnwrap();
  await new Promise((r) => setTimeout(r, 20));
  counter.take();
  (await verifier.start({ phone, context }))._unsafeUnwrap();
  return counter.take();
}

describe.skipIf(!(await serviceAvailable('redis')))('one round trip per operation: Redis', () => {
  const prefix = `${runId('pp-cost')}:`;
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

  it('warm: a start is 1 command and 1 round trip, an approving check too', async () => {
    const counter = countRedis(client);
    const { start, check } = await costs(redisStore({ client, prefix }), counter, '+12133734201');
    counter.restore();
    expect(start).toEqual({ commands: ['evalsha'], roundTrips: 1 });
    expect(check).toEqual({ commands: ['evalsha'], roundTrips: 1 });
  });

  it('a sender without reportsCarryRef: the message id is one write more after the send', async () => {
    const counter = countRedis(client);
    const store = redisStore({ client, prefix });
    const { start, check } = await costs(store, counter, '+12133734202', false);
    counter.restore();
    expect(start).toEqual({ commands: ['evalsha', 'evalsha'], roundTrips: 2 });
    expect(check).toEqual({ commands: ['evalsha'], roundTrips: 1 });
  });

  it('a check by id on another instance than its start: the approval bookkeeping is a write of its own, after the answer', async () => {
    const { sender: s, codes } = sender(true);
    const first = createVerifier({
      secret: SECRET,
      store: redisStore({ client: admin, prefix }),
      sender: s,
    });
    const counter = countRedis(client);
    const other = createVerifier({
      secret: SECRET,
      store: redisStore({ client, prefix }),
      sender: s,
    });
    const phone = '+12133734204';
    const started = (await first.start({ phone, context }))._unsafeUnwrap();
    await other.check({ id: started.id, code: '000000', context }); // clock estimate, cache
    await new Promise((r) => setTimeout(r, 20));
    counter.take();
    (await other.check({ id: started.id, code: codes.get(phone)!, context }))._unsafeUnwrap();
    // The check's own write, then (not awaited by the answer) the approval bookkeeping's.
    await new Promise((r) => setTimeout(r, 20));
    const all = counter.take();
    counter.restore();
    console.info('check by id on another instance:', all);
    expect(all.commands[0]).toBe('evalsha');
    expect(all.commands.length).toBeGreaterThanOrEqual(2);
    expect(all.commands.length).toBeLessThanOrEqual(3);
  });

  it('first start of a process on records nobody wrote: guessed absent, 1 command', async () => {
    const counter = countRedis(client);
    const store = redisStore({ client, prefix: `${prefix}first:` });
    expect(await firstStart(store, counter, '+12133734205')).toEqual({
      commands: ['evalsha'],
      roundTrips: 1,
    });
    counter.restore();
  });

  it('cold (no cache): a batched read more per operation', async () => {
    const counter = countRedis(client);
    const store = redisStore({ client, prefix, cacheSize: 0 });
    const { start, check } = await costs(store, counter, '+12133734203');
    counter.restore();
    expect(start).toEqual({ commands: ['evalsha', 'evalsha'], roundTrips: 2 });
    expect(check).toEqual({ commands: ['evalsha', 'evalsha'], roundTrips: 2 });
  });
});

describe.skipIf(!(await serviceAvailable('postgres')))(
  'one round trip per operation: PostgreSQL',
  () => {
    const table = runId('pp_cost').replaceAll('-', '_').toLowerCase();
    let pool: pg.Pool;
    beforeAll(async () => {
      pool = pgPool();
      await migrate(pool, { table });
    });
    afterAll(async () => {
      await dropStoreTable(pool, table);
      await pool.end();
    });

    it('warm: a start is 1 statement and 1 round trip, an approving check too', async () => {
      const counted = countPg(pool);
      const store = postgresStore({ pool: counted.pool, table });
      const { start, check } = await costs(store, counted, '+12133734211');
      expect(start).toEqual({ commands: ['WITH'], roundTrips: 1 });
      expect(check).toEqual({ commands: ['WITH'], roundTrips: 1 });
    });

    it('first start of a process on records nobody wrote: guessed absent, 1 statement', async () => {
      const fresh = `${table}_first`;
      await migrate(pool, { table: fresh });
      try {
        const counted = countPg(pool);
        const store = postgresStore({ pool: counted.pool, table: fresh });
        expect(await firstStart(store, counted, '+12133734215')).toEqual({
          commands: ['WITH'],
          roundTrips: 1,
        });
      } finally {
        await dropStoreTable(pool, fresh);
      }
    });

    it('cold (no cache): a batched read more per operation', async () => {
      const counted = countPg(pool);
      const store = postgresStore({ pool: counted.pool, table, cacheSize: 0 });
      const { start, check } = await costs(store, counted, '+12133734213');
      expect(start).toEqual({ commands: ['SELECT', 'WITH'], roundTrips: 2 });
      expect(check).toEqual({ commands: ['SELECT', 'WITH'], roundTrips: 2 });
    });
  },
);
