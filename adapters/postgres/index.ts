/**
 * `phoneproof/postgres`: the Store and ConsentLedger ports on PostgreSQL, and `migrate` for
 * their tables, through the application's own `pg` Pool (an optional peer dependency; this
 * entry never imports it).
 * @module
 */

export { type PostgresConsentLedgerOptions, postgresConsentLedger } from './ledger';
export {
  DEFAULT_LEDGER_TABLE,
  DEFAULT_TABLE,
  type MigrateOptions,
  type MigrateReport,
  migrate,
} from './migrate';
export type { PgClientLike, PgPoolLike, PgQuery, PgResult } from './pool';
export {
  type PostgresStore,
  type PostgresStoreOptions,
  postgresStore,
  StoreConflictError,
} from './store';
