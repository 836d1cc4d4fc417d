/**
 * The adversarial suites' harness: every attack runs over real sockets on loopback, against
 * each framework adapter, and against each store where the store matters. A new framework or
 * store is one line in `FRAMEWORKS` or `STORES`.
 * @internal test helper
 */
import { memoryStore } from '../../adapters/memory/index';
import { migrate, postgresStore } from '../../adapters/postgres/index';
import { dropStoreTable } from '../../adapters/postgres/testing';
import { redisStore } from '../../adapters/redis/index';
import { migrate as migrateSqlite, sqliteStore } from '../../adapters/sqlite/index';
import { openDatabase } from '../../adapters/sqlite/testing';
import type { Store } from '../../src/ports/store';
import { expressServer, fastifyServer, type Mount } from '../http/servers';
import { clearPrefix, pgPool, redisClient, runId, serviceAvailable } from '../load/services';

/** The framework adapters, each mounted on a real listening server. */
export const FRAMEWORKS: readonly (readonly [name: string, mount: Mount])[] = [
  ['express', expressServer],
  ['fastify', fastifyServer],
];

/** A store for one test, and how to dispose of it. */
export interface StoreUnderTest {
  readonly store: Store;
  close(): Promise<void>;
}

export interface StoreKind {
  readonly name: 'memory' | 'sqlite' | 'redis' | 'postgres';
  /** Whether the service answers (throws under `CI=true` when it does not). */
  available(): Promise<boolean>;
  /** A fresh, empty store; `now` drives the memory store's expiry (servers use their own clock). */
  make(now?: () => number): Promise<StoreUnderTest>;
}

/** The stores, each fresh per call. */
export const STORES: readonly StoreKind[] = [
  {
    name: 'memory',
    available: async () => true,
    make: async (now) => ({
      store: memoryStore(now ? { now } : {}),
      close: async () => {},
    }),
  },
  {
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
  },
  {
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
  },
  {
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
          await pool.query(`DROP TABLE IF EXISTS "${table}_ledger" CASCADE`).catch(() => {});
          await pool.end();
        },
      };
    },
  },
];

/** Only the memory store: for attacks whose outcome does not depend on the store. */
export const MEMORY_ONLY: readonly StoreKind[] = STORES.filter((s) => s.name === 'memory');
