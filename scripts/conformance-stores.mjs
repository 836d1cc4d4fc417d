/**
 * The network stores on the runtime that runs this file, with the clients users install:
 * `phoneproof/redis` over ioredis and over node-redis (`redis`), `phoneproof/postgres` over
 * `pg`. For each: a verifier on the built package (`npm run build` first) starts a
 * verification, refuses a wrong code and approves the right one. Needs Redis and PostgreSQL
 * (`REDIS_URL`, `DATABASE_URL`; defaults are the local ones CI starts); each run uses a key
 * prefix and a table of its own, removed afterwards. Run by `npm run conformance -- --stores`
 * on Node, Bun and Deno.
 */

import { Redis } from 'ioredis';
import pg from 'pg';
import { createVerifier } from 'phoneproof';
import { migrate, postgresStore } from 'phoneproof/postgres';
import { redisStore } from 'phoneproof/redis';
import { outboxSender } from 'phoneproof/testing';
import { createClient } from 'redis';
import { runtimeName } from './conformance.mjs';

const env = globalThis.process?.env ?? {};
const REDIS_URL = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `pp_conformance_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;

/** start, a wrong code, the right code; throws on any other outcome. */
async function lifecycle(name, store) {
  const outbox = outboxSender();
  const verifier = createVerifier({
    secret: 'conformance-secret-conformance-secret!',
    store,
    sender: outbox,
  });
  const context = { ip: '203.0.113.7' };
  const started = await verifier.start({ phone: '+12133734253', context });
  if (started.isErr()) throw new Error(`${name}: start refused (${started.error.code})`);
  const { id } = started.value;
  const code = outbox.last().code;
  const wrong = `${code.slice(0, 5)}${(Number(code[5]) + 1) % 10}`;
  const missed = await verifier.check({ id, code: wrong, context });
  if (missed.isOk() || missed.error.code !== 'code_mismatch')
    throw new Error(`${name}: wrong code not refused`);
  const approved = await verifier.check({ id, code, context });
  if (approved.isErr() || approved.value.status !== 'approved')
    throw new Error(`${name}: right code not approved`);
  return `${name} ok`;
}

async function clearPrefix(del, keys, prefix) {
  for (const k of await keys(`${prefix}*`)) await del(k);
}

const steps = [];
const io = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
try {
  steps.push(await lifecycle('redis (ioredis)', redisStore({ client: io, prefix: `${run}:io:` })));
} finally {
  await clearPrefix(
    (k) => io.del(k),
    (p) => io.keys(p),
    `${run}:`,
  );
  io.disconnect();
}
const nr = createClient({ url: REDIS_URL });
await nr.connect();
try {
  steps.push(
    await lifecycle('redis (node-redis)', redisStore({ client: nr, prefix: `${run}:nr:` })),
  );
} finally {
  await clearPrefix(
    (k) => nr.del(k),
    (p) => nr.keys(p),
    `${run}:`,
  );
  await nr.quit();
}
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
try {
  await migrate(pool, { table: run, ledgerTable: `${run}_ledger` });
  steps.push(await lifecycle('postgres (pg)', postgresStore({ pool, table: run })));
} finally {
  for (const t of [run, `${run}_ledger`, `${run}_ledger_heads`, `${run}_ledger_personal`]) {
    await pool.query(`DROP TABLE IF EXISTS "${t}" CASCADE`);
  }
  await pool.query(`DROP SEQUENCE IF EXISTS "${run}_version_seq"`);
  await pool.query('DELETE FROM phoneproof_migrations WHERE id LIKE $1', [`%:${run}%`]);
  await pool.end();
}
console.log(`stores on ${runtimeName()}: ${steps.join(', ')}`);
