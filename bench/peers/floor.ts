/**
 * The durable floor of a send+verify pair on PostgreSQL: what any library keeping its codes
 * in PostgreSQL must at least do, with nothing else around it. One `INSERT` of a row (the
 * code is stored: one commit), then one `UPDATE` of it (the code is spent: one commit), each
 * a single autocommitted statement over the same `pg.Pool` size as the candidates. No
 * hashing, no validation, no limits. Its rate is the ceiling of every PostgreSQL-backed pair
 * on this machine, phoneproof's and better-auth's alike.
 * @module
 */
import pg from 'pg';
import type { PeerCandidate } from './better-auth';

const TABLE = 'bench_peers_floor';

export async function postgresFloor(databaseUrl: string): Promise<PeerCandidate> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  await pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await pool.query(
    `CREATE TABLE ${TABLE} (phone text PRIMARY KEY, code text NOT NULL, used boolean NOT NULL)`,
  );
  const insert = {
    name: 'floor_insert',
    text: `INSERT INTO ${TABLE} (phone, code, used) VALUES ($1, $2, false)
      ON CONFLICT (phone) DO UPDATE SET code = EXCLUDED.code, used = false`,
  };
  const spend = {
    name: 'floor_spend',
    text: `UPDATE ${TABLE} SET used = true WHERE phone = $1 AND code = $2 AND NOT used`,
  };
  return {
    name: 'postgres floor (2 commits)',
    async pair(phone) {
      await pool.query({ ...insert, values: [phone, '123456'] });
      const r = await pool.query({ ...spend, values: [phone, '123456'] });
      if (r.rowCount !== 1) throw new Error('floor: code not spent');
    },
    async close() {
      await pool.query(`DROP TABLE IF EXISTS ${TABLE}`);
      await pool.end();
    },
  };
}
