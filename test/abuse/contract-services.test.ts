/**
 * The abuse exactness contract on Redis and PostgreSQL (services from test/load/services:
 * under CI=true a missing service fails; elsewhere its suite is skipped with a message).
 */
import { describe, it } from 'vitest';
import { migrate } from '../../adapters/postgres/migrate';
import { postgresStore } from '../../adapters/postgres/store';
import { dropStoreTable } from '../../adapters/postgres/testing';
import { redisStore } from '../../adapters/redis/store';
import { pgPool, redisHarness, runId, serviceAvailable } from '../load/services';
import { abuseContract } from './contract';

const redisUp = await serviceAvailable('redis');
const pgUp = await serviceAvailable('postgres');

if (redisUp) {
  abuseContract('redis', async () =>
    redisHarness('pp-abuse', (client, prefix) => redisStore({ client, prefix })),
  );
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
