/**
 * better-auth's phone-number plugin, set up as its documentation recommends, on each of the
 * databases it supports here: PostgreSQL through a `pg` Pool (Kysely), SQLite through
 * better-sqlite3 (Kysely), PostgreSQL with Redis as secondary storage (verification values
 * then live in Redis only), and its memory adapter (development only; not durable).
 * Each `pair` is one `sendPhoneNumberOTP` then one `consumePhoneNumberOTP` through
 * `auth.api.*`, as a server calls them.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BetterAuthOptions, betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { getMigrations } from 'better-auth/db/migration';
import { phoneNumber } from 'better-auth/plugins/phone-number';
import Database from 'better-sqlite3';
import type { Redis } from 'ioredis';
import pg from 'pg';

export type BetterAuthDb = 'postgres' | 'sqlite' | 'postgres+redis' | 'memory';

/** One phone-number cycle: send a code, then verify it. */
export interface PeerCandidate {
  readonly name: string;
  /** Runs one send+verify pair for `phone`; rejects if the code is not accepted. */
  pair(phone: string): Promise<void>;
  close(): Promise<void>;
}

/** The PostgreSQL schemas the bench owns (each dropped and re-created on each run). */
export const BA_SCHEMAS = {
  postgres: 'bench_peers_better_auth',
  'postgres+redis': 'bench_peers_better_auth_redis',
} as const;

export interface BetterAuthSetup {
  readonly db: BetterAuthDb;
  readonly databaseUrl: string;
  /** Needed for `postgres+redis`. */
  readonly redis?: Redis;
}

function redisSecondaryStorage(redis: Redis) {
  return {
    get: (key: string) => redis.get(`bench-peers-ba:${key}`),
    getAndDelete: (key: string) => redis.getdel(`bench-peers-ba:${key}`),
    set: async (key: string, value: string, ttl?: number) => {
      if (ttl) await redis.set(`bench-peers-ba:${key}`, value, 'EX', ttl);
      else await redis.set(`bench-peers-ba:${key}`, value);
    },
    delete: async (key: string) => {
      await redis.del(`bench-peers-ba:${key}`);
    },
    increment: async (key: string, ttl: number) => {
      const k = `bench-peers-ba:${key}`;
      const [[, n]] = (await redis.multi().incr(k).expire(k, ttl, 'NX').exec()) as [
        [unknown, number],
      ];
      return n;
    },
  };
}

export async function betterAuthCandidate(setup: BetterAuthSetup): Promise<PeerCandidate> {
  const cleanups: (() => Promise<void> | void)[] = [];
  let database: unknown;
  if (setup.db === 'postgres' || setup.db === 'postgres+redis') {
    const schema = BA_SCHEMAS[setup.db];
    const admin = new pg.Client({ connectionString: setup.databaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    // Its own schema, first on the search path, as better-auth's docs show for a custom schema.
    const pool = new pg.Pool({
      connectionString: setup.databaseUrl,
      options: `-c search_path=${schema}`,
      max: 10,
    });
    cleanups.push(() => pool.end());
    database = pool;
  } else if (setup.db === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'phoneproof-bench-peers-'));
    const sqlite = new Database(join(dir, 'auth.sqlite'));
    // WAL is the usual production setting for SQLite and better-auth's fastest durable option.
    sqlite.pragma('journal_mode = WAL');
    cleanups.push(() => {
      sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    });
    database = sqlite;
  } else {
    database = memoryAdapter({ user: [], session: [], account: [], verification: [] });
  }

  const codes = new Map<string, string>();
  const options = {
    // The bench's own throwaway secret (better-auth refuses to start without one).
    secret: 'bench-peers-better-auth-secret-0123456789abcdef',
    baseURL: 'http://127.0.0.1:3000',
    database: database as never,
    ...(setup.db === 'postgres+redis' && setup.redis
      ? { secondaryStorage: redisSecondaryStorage(setup.redis) }
      : {}),
    telemetry: { enabled: false },
    logger: { disabled: true },
    plugins: [
      phoneNumber({
        sendOTP: ({ phoneNumber: to, code }) => {
          codes.set(to, code);
        },
      }),
    ],
  } satisfies BetterAuthOptions;
  // The schema first (what `npx auth migrate` does), then the instance: it checks the schema.
  if (setup.db !== 'memory') await (await getMigrations(options)).runMigrations();
  const auth = betterAuth(options);

  const api = auth.api;
  return {
    name: `better-auth (${setup.db})`,
    async pair(phone) {
      await api.sendPhoneNumberOTP({ body: { phoneNumber: phone } });
      const code = codes.get(phone);
      if (code === undefined) throw new Error('better-auth: no code was sent');
      codes.delete(phone);
      // consumePhoneNumberOTP checks and spends the code without touching a user or a
      // session: the same job as phoneproof's check (verifyPhoneNumber does more).
      const r = await api.consumePhoneNumberOTP({ body: { phoneNumber: phone, code } });
      if (r.status !== true) throw new Error('better-auth: code refused');
    },
    async close() {
      for (const c of cleanups.reverse()) await c();
    },
  };
}
