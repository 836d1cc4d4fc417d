/**
 * The PostgreSQL store under the verifier: check (a wrong guess, evaluated and written: one
 * conditional UPDATE on the store whose cache holds the record, SELECT + conditional UPDATE
 * on a second instance without a cache) and start, sequential and with 100 in flight, beside
 * a raw atomic `UPDATE ... RETURNING` of a record of the same size (one round trip, no
 * verifier). Target: >= 50% of the raw loop at 100 in flight (check and start).
 * Run: npm run bench:postgres (reads DATABASE_URL; creates its own tables and drops them).
 */
import pg from 'pg';
import { migrate, postgresStore } from '../adapters/postgres/index';
import { checkPhones, report, runStoreBench, type StoreBench } from './lib/store-bench';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 });
pool.on('error', () => {});
const table = `phoneproof_bench_${process.pid}`;
const rawTable = `phoneproof_bench_raw_${process.pid}`;
const store = postgresStore({ pool, table });
// A second server on the same table that has seen none of the records.
const uncached = postgresStore({ pool, table, cacheSize: 0 });
let values: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
const rawUpdate = {
  name: 'bench_raw_update',
  text: `UPDATE "${rawTable}" SET value = $2, version = version + 1,
    expires_at = now() + interval '10 minutes' WHERE key = $1 RETURNING version`,
};

const rawInsert = {
  name: 'bench_raw_insert',
  text: `INSERT INTO "${rawTable}" (key, value, version, expires_at)
    VALUES ($1, $2, 1, now() + interval '10 minutes') ON CONFLICT (key) DO NOTHING`,
};

const bench: StoreBench = {
  name: `PostgreSQL ${url.replace(/\/\/[^@]*@/, '//')}`,
  store,
  uncached,
  rawLabel: 'raw UPDATE ... RETURNING',
  async prepareRaw(value) {
    values = [Buffer.from(value), Buffer.from(`${value.slice(0, -1)} `)];
    await pool.query(`CREATE TABLE "${rawTable}" (key text PRIMARY KEY, value bytea NOT NULL,
      version bigint NOT NULL, expires_at timestamptz NOT NULL)`);
    await pool.query(
      `INSERT INTO "${rawTable}" SELECT 'raw:' || i, $1, 1, now() + interval '10 minutes'
       FROM generate_series(0, $2::int - 1) i`,
      [values[0], checkPhones.length],
    );
  },
  async raw(i) {
    await pool.query({ ...rawUpdate, values: [`raw:${i}`, values[i % 2]] });
  },
  async create(i, value) {
    await pool.query({ ...rawInsert, values: [`floor:${i}`, Buffer.from(value)] });
  },
};

try {
  await migrate(pool, { table });
  const res = await runStoreBench(bench);
  report(bench, res, 0.5);
} finally {
  await pool.query(`DROP TABLE IF EXISTS "${rawTable}"`);
  await pool.query(`DROP TABLE IF EXISTS "${table}"`);
  await pool.query(`DROP SEQUENCE IF EXISTS "${table}_version_seq"`);
  await pool.query('DELETE FROM phoneproof_migrations WHERE id = $1', [`store:${table}:1`]);
  await pool.end();
}
