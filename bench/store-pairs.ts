/**
 * start + check pairs per second on the Redis store (`STORE=postgres`: PostgreSQL) with
 * every default on (abuse defenses, proof tokens), at 1 and 16 in flight from one process:
 * what the store kit's group commit is for (issue 17: every start and approval writes the
 * country's record). With `BASE=<another checkout>` the same pairs run alternately on that
 * checkout's code (its src/ and adapters/), round by round, so both see the same load.
 * With `FLOOR=1`, in the same rounds: this code's pair on the store kit over an in-process
 * Map (the verifier's and the kit's CPU, no I/O), better-auth's pair on the same store (Redis: its
 * secondary storage; PostgreSQL: its Kysely adapter; needs `npm ci --prefix bench/peers`)
 * and the floors of any pair there: on Redis, two bare round trips (`SET` of a 630-byte
 * record, then `GET`) and two bare `EVALSHA`s of the store's compare-and-set script over four
 * keys (a 630-byte record and three 100-byte ones, created, then rewritten); on PostgreSQL,
 * two bare autocommitted statements (bench/peers/floor.ts).
 * Each row also gives this process's CPU time per pair (`process.cpuUsage` over the round,
 * all its threads; not the server's): on a loaded machine the rate follows the scheduler,
 * the CPU per pair follows the code.
 * Run: npx tsx bench/store-pairs.ts (reads REDIS_URL or DATABASE_URL; its own key prefixes
 * or tables, deleted after).
 * @module
 */
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { dropStoreTable } from '../adapters/postgres/testing';
import { CAS_SCRIPT, CAS_SHA } from '../adapters/redis/script';
import { fmt, median, phoneAt, throughput } from './peers/load';

/** Pairs per second over `ms` at `concurrency`, and this process's CPU time per pair (µs). */
async function measured(op: () => Promise<void>, ms: number, concurrency: number) {
  let pairs = 0;
  const counted = async () => {
    await op();
    pairs += 1;
  };
  const cpu = process.cpuUsage();
  const rate = await throughput(counted, { ms, concurrency });
  const used = process.cpuUsage(cpu);
  return { rate, cpuUs: (used.user + used.system) / Math.max(1, pairs) };
}

const onPostgres = process.env.STORE === 'postgres';
const url = onPostgres
  ? (process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test')
  : (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const client = new Redis(onPostgres ? 'redis://127.0.0.1:6379' : url, {
  lazyConnect: true,
  maxRetriesPerRequest: 1,
  commandTimeout: 5_000,
});
const pool = new pg.Pool({ connectionString: url, max: 10 });
const tables: string[] = [];
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const MS = Number(process.env.MS ?? 2000);
const roots = new Map([['this', resolve('.')]]);
if (process.env.BASE) roots.set('base', resolve(process.env.BASE));

let next = 0; // one phone sequence for all: no two pairs share a number
const prefixes: string[] = [];

/**
 * `storeKit` over an in-process Map with a conditional write (compare by value, as Redis):
 * the Redis store's path with no I/O, so its pair is the CPU of the verifier and the kit.
 */
function mapStore(storeKit: typeof import('../adapters/store-kit/index').storeKit) {
  const rows = new Map<string, { value: string; until: number }>();
  const live = (key: string) => {
    const row = rows.get(key);
    return row && row.until > Date.now() ? { value: row.value } : undefined;
  };
  return storeKit({
    read: live,
    readMany: (keys) => keys.map(live),
    async writeMany(ops) {
      const current = ops.map((op) => live(op.key));
      if (ops.some((op, i) => current[i]?.value !== op.expected?.value)) {
        return { applied: false, current };
      }
      for (const { key, write } of ops) {
        if (write && 'delete' in write) rows.delete(key);
        else if (write) rows.set(key, { value: write.value, until: Date.now() + write.ttlMs });
      }
      return { applied: true, records: ops.map((op) => live(op.key)) };
    },
  });
}

async function candidate(name: string, root: string, noIo = false) {
  const { createVerifier } = await import(`${root}/src/index.ts`);
  const { storeKit } = await import(`${root}/adapters/store-kit/index.ts`);
  const { redisStore } = await import(`${root}/adapters/redis/index.ts`);
  const { migrate, postgresStore } = await import(`${root}/adapters/postgres/index.ts`);
  const prefix = `phoneproof-bench-pairs-${process.pid}-${name}:`;
  const table = `bench_pairs_${process.pid}_${name}`;
  if (onPostgres) {
    tables.push(table);
    await migrate(pool, { table });
  } else prefixes.push(prefix);
  const codes = new Map<string, string>();
  const verifier = createVerifier({
    secret: 'bench-store-pairs-secret-0123456789abcdef',
    store: noIo
      ? mapStore(storeKit)
      : onPostgres
        ? postgresStore({ pool, table })
        : redisStore({ client, prefix }),
    sender: {
      reportsCarryRef: true,
      async send(m: { to: string; code: string }) {
        codes.set(m.to, m.code);
        return { ok: true, messageId: 'bench' };
      },
    },
  });
  return async () => {
    const phone = phoneAt(next++);
    const started = await verifier.start({ phone });
    if (started.isErr()) throw new Error(`${name} start: ${started.error.code}`);
    const checked = await verifier.check({ id: started.value.id, code: codes.get(phone)! });
    codes.delete(phone);
    if (checked.isErr()) throw new Error(`${name} check: ${checked.error.code}`);
  };
}

/** A pair runner of bench/peers (its `PeerCandidate`, reduced to what this bench calls). */
interface PeerPair {
  readonly name: string;
  pair(phone: string): Promise<void>;
  close(): Promise<void>;
}
interface PeerModules {
  betterAuth: {
    betterAuthCandidate(options: {
      db: 'postgres' | 'postgres+redis';
      databaseUrl: string;
      redis?: unknown;
    }): Promise<PeerPair>;
  };
  floor: { postgresFloor(url: string): Promise<PeerPair> };
}
const PEERS = { betterAuth: './peers/better-auth.ts', floor: './peers/floor.ts' } as const;

/** The floors and better-auth's pair on the same store (`FLOOR=1`; see the module comment). */
async function floors(): Promise<Map<string, () => Promise<void>>> {
  // Loaded by a computed specifier: bench/peers has its own dependencies (installed by
  // `npm ci --prefix bench/peers`), which the root typecheck does not see.
  const { betterAuthCandidate } = (await import(PEERS.betterAuth)) as PeerModules['betterAuth'];
  const out = new Map<string, () => Promise<void>>();
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const peer = await betterAuthCandidate(
    onPostgres
      ? { db: 'postgres', databaseUrl }
      : { db: 'postgres+redis', databaseUrl, redis: client },
  );
  closers.push(() => peer.close());
  out.set(peer.name, () => peer.pair(phoneAt(next++)));
  if (onPostgres) {
    const { postgresFloor } = (await import(PEERS.floor)) as PeerModules['floor'];
    const floor = await postgresFloor(url);
    closers.push(() => floor.close());
    out.set(floor.name, () => floor.pair(phoneAt(next++)));
    return out;
  }
  const prefix = `phoneproof-bench-pairs-${process.pid}-floor:`;
  prefixes.push(prefix);
  const record = 'r'.repeat(630);
  const small = (i: number, n: number) => `${i}:${n}`.padEnd(100, 's');
  out.set('bare GET+SET pair', async () => {
    const key = `${prefix}${next++}`;
    await client.set(key, record, 'PX', 60_000);
    if ((await client.get(key)) !== record) throw new Error('bare pair: lost its record');
  });
  await client.script('LOAD', CAS_SCRIPT);
  const cas = (keys: string[], args: string[]) =>
    client.evalsha(CAS_SHA, keys.length, ...keys, ...args) as Promise<unknown[]>;
  out.set('bare EVALSHA pair (4 keys)', async () => {
    const i = next++;
    const keys = ['p', 'a', 'b', 'c'].map((k) => `${prefix}${k}${i}`);
    const created = keys.flatMap((_, k) => ['0', '', k ? small(i, 0) : record, '60000']);
    const rewritten = keys.flatMap((_, k) => [
      '1',
      k ? small(i, 0) : record,
      k ? small(i, 1) : record,
      '60000',
    ]);
    if ((await cas(keys, created))[0] !== 1) throw new Error('bare pair: create refused');
    if ((await cas(keys, rewritten))[0] !== 1) throw new Error('bare pair: rewrite refused');
  });
  return out;
}
const closers: (() => Promise<void>)[] = [];

async function cleanup() {
  for (const close of closers) await close();
  for (const table of tables) await dropStoreTable(pool, table);
  for (const prefix of prefixes) {
    let cursor = '0';
    do {
      const [at, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = at;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  }
}

try {
  const pairs = new Map<string, () => Promise<void>>();
  for (const [name, root] of roots) pairs.set(name, await candidate(name, root));
  if (process.env.FLOOR === '1') {
    pairs.set('this, no I/O (kit over a Map)', await candidate('noio', resolve('.'), true));
    for (const [name, op] of await floors()) pairs.set(name, op);
  }
  console.log(
    `${onPostgres ? 'PostgreSQL' : 'Redis'} ${url}, ${ROUNDS} rounds x ${MS} ms, medians (every round listed)\n`,
  );
  console.log('| code | in flight | pairs/s (median) | rounds | CPU µs/pair (median) |');
  console.log('| ---- | --------: | ---------------: | ------ | -------------------: |');
  const levels = (process.env.CONCURRENCY ?? '1,16').split(',').map(Number);
  for (const concurrency of levels) {
    const runs = new Map([...pairs.keys()].map((name) => [name, [] as number[]]));
    const cpus = new Map([...pairs.keys()].map((name) => [name, [] as number[]]));
    for (const op of pairs.values()) await throughput(op, { ms: 300, concurrency });
    for (let r = 0; r < ROUNDS; r += 1) {
      for (const [name, op] of pairs) {
        const { rate, cpuUs } = await measured(op, MS, concurrency);
        runs.get(name)!.push(rate);
        cpus.get(name)!.push(cpuUs);
      }
    }
    const peer = [...runs.keys()].find((name) => name.startsWith('better-auth'));
    for (const [name, xs] of runs) {
      const ratio = peer ? ` (${(median(xs) / median(runs.get(peer)!)).toFixed(2)}x ${peer})` : '';
      console.log(
        `| ${name} | ${concurrency} | ${fmt(median(xs))}${ratio} | ${xs.map(fmt).join(' / ')} | ${fmt(median(cpus.get(name)!))} |`,
      );
    }
  }
} finally {
  await cleanup();
  client.disconnect();
  await pool.end();
}
