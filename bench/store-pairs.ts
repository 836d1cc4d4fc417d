/**
 * start + check pairs per second on the Redis store (`STORE=postgres`: PostgreSQL) with
 * every default on (abuse defenses, proof tokens), at 1 and 16 in flight from one process:
 * what the store kit's group commit is for (issue 17: every start and approval writes the
 * country's record). With `BASE=<another checkout>` the same pairs run alternately on that
 * checkout's code (its src/ and adapters/), round by round, so both see the same load.
 * Run: npx tsx bench/store-pairs.ts (reads REDIS_URL or DATABASE_URL; its own key prefixes
 * or tables, deleted after).
 * @module
 */
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { dropStoreTable } from '../adapters/postgres/testing';
import { fmt, median, phoneAt, throughput } from './peers/load';

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

async function candidate(name: string, root: string) {
  const { createVerifier } = await import(`${root}/src/index.ts`);
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
    store: onPostgres ? postgresStore({ pool, table }) : redisStore({ client, prefix }),
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

async function cleanup() {
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
  console.log(
    `${onPostgres ? 'PostgreSQL' : 'Redis'} ${url}, ${ROUNDS} rounds x ${MS} ms, medians (every round listed)\n`,
  );
  console.log('| code | in flight | pairs/s (median) | rounds |');
  console.log('| ---- | --------: | ---------------: | ------ |');
  for (const concurrency of [1, 16]) {
    const runs = new Map([...pairs.keys()].map((name) => [name, [] as number[]]));
    for (const op of pairs.values()) await throughput(op, { ms: 300, concurrency });
    for (let r = 0; r < ROUNDS; r += 1) {
      for (const [name, op] of pairs)
        runs.get(name)!.push(await throughput(op, { ms: MS, concurrency }));
    }
    for (const [name, xs] of runs) {
      console.log(`| ${name} | ${concurrency} | ${fmt(median(xs))} | ${xs.map(fmt).join(' / ')} |`);
    }
  }
} finally {
  await cleanup();
  client.disconnect();
  await pool.end();
}
