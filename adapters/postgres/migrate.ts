/**
 * `migrate`: creates or upgrades phoneproof's PostgreSQL tables, idempotently and safely
 * when several instances run it at once.
 * @module
 */
import { ledgerMigrations } from './ledger-schema';
import { checkPool, type PgPoolLike, tableName } from './pool';
import { DEFAULT_LEDGER_TABLE, DEFAULT_TABLE, storeMigrations } from './schema';

export { DEFAULT_LEDGER_TABLE, DEFAULT_TABLE, type Migration } from './schema';

export interface MigrateOptions {
  /** The store's table (default `phoneproof_records`); match `postgresStore({ table })`. */
  readonly table?: string;
  /** The consent ledger's table (default `phoneproof_consent`); match `postgresConsentLedger`. */
  readonly ledgerTable?: string;
}

export interface MigrateReport {
  /** Migration ids applied by this call (empty when the schema was already current). */
  readonly applied: readonly string[];
}

/** Any constant works; it names the advisory lock every `migrate` call takes. */
export const MIGRATE_LOCK_ID = 7_405_623_101;

/**
 * Creates or upgrades the store and consent-ledger tables. Idempotent: each step runs once,
 * recorded in `phoneproof_migrations`. Safe when instances run it at once: everything
 * happens in one transaction holding a transaction-level advisory lock, so a second caller
 * waits, then finds nothing left to do. Rejects (and changes nothing) if a step fails.
 * Throws a TypeError at once on a malformed table name.
 */
export async function migrate(
  pool: PgPoolLike,
  options: MigrateOptions = {},
): Promise<MigrateReport> {
  checkPool(pool, 'migrate');
  const steps = [
    ...storeMigrations(tableName(options.table ?? DEFAULT_TABLE, 'table')),
    ...ledgerMigrations(tableName(options.ledgerTable ?? DEFAULT_LEDGER_TABLE, 'ledgerTable')),
  ];
  const client = await pool.connect();
  let failed: Error | undefined;
  try {
    await client.query({ text: 'BEGIN' });
    await client.query({ text: 'SELECT pg_advisory_xact_lock($1)', values: [MIGRATE_LOCK_ID] });
    await client.query({
      text: `CREATE TABLE IF NOT EXISTS phoneproof_migrations (
        id text PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    });
    const done = await client.query({ text: 'SELECT id FROM phoneproof_migrations' });
    const have = new Set(done.rows.map((r) => (r as { id: string }).id));
    const applied: string[] = [];
    for (const step of steps) {
      if (have.has(step.id)) continue;
      for (const text of step.statements) await client.query({ text });
      await client.query({
        text: 'INSERT INTO phoneproof_migrations (id) VALUES ($1)',
        values: [step.id],
      });
      applied.push(step.id);
    }
    await client.query({ text: 'COMMIT' });
    return { applied };
  } catch (e) {
    failed = e instanceof Error ? e : new Error(String(e));
    await client.query({ text: 'ROLLBACK' }).catch(() => {});
    throw e;
  } finally {
    client.release(failed);
  }
}
