/**
 * The store backends of the registry (test/registry.ts lists them in BACKENDS): for each,
 * how to make a fresh store and consent ledger and clean up, and, where it applies, how
 * other processes share its data (`shared`) and its private server a test may stop
 * (`served`).
 * @internal test helper
 */
import { join } from 'node:path';
import { memoryConsentLedger, memoryStore } from '../adapters/memory/index';
import { migrate, postgresConsentLedger, postgresStore } from '../adapters/postgres/index';
import { dropStoreTable } from '../adapters/postgres/testing';
import { redisStore } from '../adapters/redis/index';
import {
  migrate as migrateSqlite,
  DEFAULT_TABLE as SQLITE_TABLE,
  sqliteConsentLedger,
  sqliteStore,
} from '../adapters/sqlite/index';
import { openDatabase } from '../adapters/sqlite/testing';
import type { ConsentLedger } from '../src/ports/consent-ledger';
import type { Store } from '../src/ports/store';
import { binariesAvailable, type PrivateServer, startPostgres, startRedis } from './load/servers';
import {
  clearPrefix,
  DATABASE_URL,
  pgPool,
  REDIS_URL,
  redisClient,
  runId,
  serviceAvailable,
} from './load/services';

/** A fresh store for one test, and how to dispose of it. */
export interface BackendUnderTest {
  readonly store: Store;
  /** Empties the store (between tests sharing it). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** A store opened in this process over data other processes share. */
export interface OpenedStore {
  readonly store: Store;
  close(): Promise<void>;
}

/**
 * How processes share one backend's data (the multi-process race tests): where it lives,
 * a fresh namespace there, and how a worker process opens a store on that namespace. A
 * worker finds this by the backend's name in BACKENDS.
 */
export interface SharedBackend {
  /** Where the data lives: the service URL, or a database file in the folder `dir`. */
  location(dir: string): string;
  /** A fresh, empty namespace at `location` (a key prefix or a table) and a store over it. */
  fresh(location: string): Promise<OpenedStore & { readonly namespace: string }>;
  /** Opens `namespace` at `location` as another process does, with generous timeouts. */
  open(location: string, namespace: string): Promise<OpenedStore>;
}

/** A fresh consent ledger for one test, and how to dispose of it. */
export interface LedgerUnderTest {
  readonly ledger: ConsentLedger;
  close(): Promise<void>;
}

export interface Backend {
  readonly name: 'memory' | 'sqlite' | 'redis' | 'postgres';
  /** Whether `make(now)` makes the store expire records by `now` (else by its own clock). */
  readonly injectedClock: boolean;
  /** Whether the service answers (throws under `CI=true` when it does not). */
  available(): Promise<boolean>;
  /** A fresh, empty store; `now` drives the in-process stores' expiry (servers use their own clock). */
  make(now?: () => number): Promise<BackendUnderTest>;
  /** A fresh, empty consent ledger; absent when the backend keeps none. */
  readonly ledger?: () => Promise<LedgerUnderTest>;
  /** How other processes open the same data; absent for an in-process store. */
  readonly shared?: SharedBackend;
  /** Its private server, which a test may stop; absent for an in-process store. */
  readonly served?: ServedBackend;
}

/**
 * A backend on a private server of its own, which a test may stop and start again (the
 * fail-closed suite).
 */
export interface ServedBackend {
  /** Whether the server's binaries are installed (else the suite is skipped). */
  installed(): boolean;
  start(): Promise<PrivateServer>;
  /** A store in the default namespace at `url` (migrated), with the fail-fast client options. */
  open(url: string): Promise<OpenedStore>;
}

export const memory: Backend = {
  name: 'memory',
  injectedClock: true,
  available: async () => true,
  make: async (now) => {
    const store = memoryStore(now ? { now } : {});
    return { store, reset: async () => store.clear(), close: async () => {} };
  },
  ledger: async () => ({ ledger: memoryConsentLedger(), close: async () => {} }),
};

export const sqlite: Backend = {
  name: 'sqlite',
  injectedClock: true,
  available: async () => true,
  make: async (now) => {
    const database = openDatabase(':memory:');
    migrateSqlite(database);
    return {
      store: sqliteStore({ database, ...(now ? { now } : {}) }),
      reset: async () => {
        database.exec(`DELETE FROM "${SQLITE_TABLE}"`);
      },
      close: async () => database.close(),
    };
  },
  ledger: async () => {
    const database = openDatabase(':memory:');
    migrateSqlite(database);
    return { ledger: sqliteConsentLedger({ database }), close: async () => database.close() };
  },
  shared: {
    location: (dir) => join(dir, 'shared.sqlite'),
    fresh: async (file) => {
      const database = openDatabase(file);
      const namespace = runId('pp_race');
      migrateSqlite(database, { table: namespace });
      const store = sqliteStore({ database, table: namespace });
      return { namespace, store, close: async () => database.close() };
    },
    // Its own handle on the shared file, as a separate process has; a generous busy timeout.
    open: async (file, table) => {
      const database = openDatabase(file);
      const store = sqliteStore({ database, table, busyTimeoutMs: 30_000 });
      return { store, close: async () => database.close() };
    },
  },
};

/** A Redis client and a store on a key prefix; `reset` and `close` empty that prefix. */
function onPrefix(prefix: string, url?: string) {
  const client = redisClient(url);
  return {
    store: redisStore({ client, prefix }),
    reset: () => clearPrefix(client, prefix),
    close: async () => {
      await clearPrefix(client, prefix);
      client.disconnect();
    },
  };
}

export const redis: Backend = {
  name: 'redis',
  injectedClock: false,
  available: () => serviceAvailable('redis'),
  make: async () => onPrefix(`${runId('pp-adv')}:`),
  shared: {
    location: () => REDIS_URL,
    fresh: async (url) => {
      const namespace = `${runId('pp-race')}:`;
      return { namespace, ...onPrefix(namespace, url) };
    },
    open: async (url, prefix) => {
      const client = redisClient(url, { commandTimeout: 30_000 });
      return { store: redisStore({ client, prefix }), close: async () => client.disconnect() };
    },
  },
  served: {
    installed: () => binariesAvailable('redis'),
    start: startRedis,
    open: async (url) => {
      const client = redisClient(url);
      return { store: redisStore({ client }), close: async () => client.disconnect() };
    },
  },
};

/** Drops tables, ignoring failures (the pool may already be broken by the test). */
async function drop(pool: { query(sql: string): Promise<unknown> }, tables: readonly string[]) {
  for (const t of tables) await pool.query(`DROP TABLE IF EXISTS "${t}" CASCADE`).catch(() => {});
}

export const postgres: Backend = {
  name: 'postgres',
  injectedClock: false,
  available: () => serviceAvailable('postgres'),
  make: async () => {
    const pool = pgPool(undefined, { max: 20 });
    const table = runId('pp_adv');
    await migrate(pool, { table, ledgerTable: `${table}_ledger` });
    return {
      store: postgresStore({ pool, table }),
      reset: async () => {
        await pool.query(`DELETE FROM "${table}"`);
      },
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
  shared: {
    location: () => DATABASE_URL,
    fresh: async (url) => {
      const pool = pgPool(url);
      const namespace = runId('pp_race');
      await migrate(pool, { table: namespace });
      const close = async () => {
        await dropStoreTable(pool, namespace);
        await pool.end();
      };
      return { namespace, store: postgresStore({ pool, table: namespace }), close };
    },
    // Generous timeouts: 250 calls at once queue for connections, and the race tests are
    // about exactness, not capacity (a timed-out call would be store_unavailable, not wrong).
    open: async (url, table) => {
      const pool = pgPool(url, { max: 4, connectionTimeoutMillis: 30_000, query_timeout: 30_000 });
      return { store: postgresStore({ pool, table }), close: () => pool.end() };
    },
  },
  served: {
    installed: () => binariesAvailable('postgres'),
    start: startPostgres,
    open: async (url) => {
      const pool = pgPool(url, { connectionTimeoutMillis: 1_000 });
      await migrate(pool);
      return { store: postgresStore({ pool }), close: () => pool.end() };
    },
  },
};
