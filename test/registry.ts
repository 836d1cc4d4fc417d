/**
 * The registries every multi-framework or multi-store suite enumerates: FRAMEWORKS (how to
 * mount a verifier on a real listening socket) and BACKENDS (how to make a fresh store and
 * consent ledger, and clean up). A new framework or store is its adapter plus one line here:
 * the HTTP, fuzz and adversarial suites and the HTTP benchmark pick it up.
 *
 * Services: a backend that needs one (Redis, PostgreSQL) says so through `available()`,
 * which throws under `CI=true` when the service does not answer (test/load/services.ts);
 * elsewhere the suite skips it.
 * @internal test helper
 */
import { memoryConsentLedger, memoryStore } from '../adapters/memory/index';
import { migrate, postgresConsentLedger, postgresStore } from '../adapters/postgres/index';
import { dropStoreTable } from '../adapters/postgres/testing';
import { redisStore } from '../adapters/redis/index';
import {
  migrate as migrateSqlite,
  sqliteConsentLedger,
  sqliteStore,
} from '../adapters/sqlite/index';
import { openDatabase } from '../adapters/sqlite/testing';
import type { ConsentLedger } from '../src/ports/consent-ledger';
import type { Store } from '../src/ports/store';
import { fetchServer } from './http/fetch-server';
import { expressServer, fastifyServer, type Mount } from './http/servers';
import { clearPrefix, pgPool, redisClient, runId, serviceAvailable } from './load/services';

export type FrameworkName = 'express' | 'fastify' | 'fetch';

/** The framework adapters, each mounted on a real listening server (test/http/servers.ts). */
export const FRAMEWORKS: readonly (readonly [name: FrameworkName, mount: Mount])[] = [
  ['express', expressServer],
  ['fastify', fastifyServer],
  ['fetch', fetchServer],
];

/** A fresh store for one test, and how to dispose of it. */
export interface BackendUnderTest {
  readonly store: Store;
  close(): Promise<void>;
}

/** A fresh consent ledger for one test, and how to dispose of it. */
export interface LedgerUnderTest {
  readonly ledger: ConsentLedger;
  close(): Promise<void>;
}

export interface Backend {
  readonly name: 'memory' | 'sqlite' | 'redis' | 'postgres';
  /** Whether the service answers (throws under `CI=true` when it does not). */
  available(): Promise<boolean>;
  /** A fresh, empty store; `now` drives the in-process stores' expiry (servers use their own clock). */
  make(now?: () => number): Promise<BackendUnderTest>;
  /** A fresh, empty consent ledger; absent when the backend keeps none. */
  readonly ledger?: () => Promise<LedgerUnderTest>;
}

const memory: Backend = {
  name: 'memory',
  available: async () => true,
  make: async (now) => ({ store: memoryStore(now ? { now } : {}), close: async () => {} }),
  ledger: async () => ({ ledger: memoryConsentLedger(), close: async () => {} }),
};

const sqlite: Backend = {
  name: 'sqlite',
  available: async () => true,
  make: async (now) => {
    const database = openDatabase(':memory:');
    migrateSqlite(database);
    return {
      store: sqliteStore({ database, ...(now ? { now } : {}) }),
      close: async () => database.close(),
    };
  },
  ledger: async () => {
    const database = openDatabase(':memory:');
    migrateSqlite(database);
    return { ledger: sqliteConsentLedger({ database }), close: async () => database.close() };
  },
};

const redis: Backend = {
  name: 'redis',
  available: () => serviceAvailable('redis'),
  make: async () => {
    const client = redisClient();
    const prefix = `${runId('pp-adv')}:`;
    return {
      store: redisStore({ client, prefix }),
      close: async () => {
        await clearPrefix(client, prefix);
        client.disconnect();
      },
    };
  },
};

/** Drops tables, ignoring failures (the pool may already be broken by the test). */
async function drop(pool: { query(sql: string): Promise<unknown> }, tables: readonly string[]) {
  for (const t of tables) await pool.query(`DROP TABLE IF EXISTS "${t}" CASCADE`).catch(() => {});
}

const postgres: Backend = {
  name: 'postgres',
  available: () => serviceAvailable('postgres'),
  make: async () => {
    const pool = pgPool();
    const table = runId('pp_adv');
    await migrate(pool, { table, ledgerTable: `${table}_ledger` });
    return {
      store: postgresStore({ pool, table }),
      close: async () => {
        await dropStoreTable(pool, table);
        await drop(pool, [`${table}_ledger`]);
        await pool.end();
      },
    };
  },
  ledger: async () => {
    const pool = pgPool();
    const table = runId('pp_inb');
    await migrate(pool, { table: `${table}_store`, ledgerTable: table });
    return {
      ledger: postgresConsentLedger({ pool, table }),
      close: async () => {
        await drop(pool, [table, `${table}_heads`, `${table}_personal`, `${table}_store`]);
        await pool.end();
      },
    };
  },
};

/** The stores (and their ledgers), each fresh per call. */
export const BACKENDS: readonly Backend[] = [memory, sqlite, redis, postgres];
