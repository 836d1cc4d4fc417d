/**
 * The abuse exactness contract on Redis and PostgreSQL (services from test/load/services:
 * under CI=true a missing service fails; elsewhere its suite is skipped with a message).
 */
import type { Redis } from 'ioredis';
import { describe, it } from 'vitest';
import { migrate } from '../../adapters/postgres/migrate';
import { postgresStore } from '../../adapters/postgres/store';
import { dropStoreTable } from '../../adapters/postgres/testing';
import { redisStore } from '../../adapters/redis/store';
import { pgPool, redisClient, runId, serviceAvailable } from '../load/services';
import { abuseContract } from './contract';

async function clearPrefix(client: Redis, prefix: string) {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
}

const redisUp = await serviceAvailable('redis');
const pgUp = await serviceAvailable('postgres');

if (redisUp) {
  abuseContract('redis', async () => {
    const c = redisClient();
    const p = `${runId('pp-abuse')}:`;
    return {
      store: redisStore({ client: c, prefix: p }),
      wait: (ms) => new Promise((r) => setTimeout(r, ms)),
      reset: () => clearPrefix(c, p),
      close: async () => {
        await clearPrefix(c, p);
        c.disconnect();
      },
    };
  });
} else {
  describe.skip('Abuse budgets on redis (not reachable)', () => it('skipped', () => {}));
}

if (pgUp) {
  abuseContract('postgres', async () => {
    const pool = pgPool(undefined, { max: 20 });
    const table = runId('pp_abuse');
    await migrate(pool, { table });
    return {
      store: postgresStore({ pool, table }),
      wait: (ms) => new Promise((r) => setTimeout(r, ms)),
      reset: async () => {
        await pool.query(`DELETE FROM "${table}"`);
      },
      close: async () => {
        await dropStoreTable(pool, table);
        await pool.end();
      },
    };
  });
} else {
  describe.skip('Abuse budgets on postgres (not reachable)', () => it('skipped', () => {}));
}
