/**
 * `phoneproof/sqlite`: the Store and ConsentLedger ports on SQLite, and `migrate` for their
 * tables, through the application's own handle: `node:sqlite` (Node 22.5+, Deno),
 * `bun:sqlite`, or `better-sqlite3` (an optional peer dependency, for Node 20). This entry
 * imports none of them.
 * @module
 */

export type { SqliteDatabaseLike, SqliteStatementLike } from './database';
export { type SqliteConsentLedgerOptions, sqliteConsentLedger } from './ledger';
export {
  DEFAULT_LEDGER_TABLE,
  DEFAULT_TABLE,
  migrate,
  type SqliteMigrateOptions,
  type SqliteMigrateReport,
} from './migrate';
export { type SqliteStore, type SqliteStoreOptions, sqliteStore } from './store';
