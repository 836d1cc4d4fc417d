/**
 * `migrate` for SQLite: creates or upgrades phoneproof's tables and triggers, idempotently
 * and safely when several processes run it at once, and switches the file to WAL mode.
 * @module
 */
import { checkDatabase, type SqliteDatabaseLike, setBusyTimeout, tableName } from './database';

/** One schema step; `id` is recorded in `phoneproof_migrations` once applied. */
export interface Migration {
  readonly id: string;
  readonly statements: readonly string[];
}

export interface SqliteMigrateOptions {
  /** The store's table (default `phoneproof_records`); match `sqliteStore({ table })`. */
  readonly table?: string;
  /** The consent ledger's table (default `phoneproof_consent`); match `sqliteConsentLedger`. */
  readonly ledgerTable?: string;
  /**
   * `PRAGMA busy_timeout` set on this handle first, in ms (default: 5000 when the handle has
   * none): how long it waits for another process's lock before failing with SQLITE_BUSY.
   */
  readonly busyTimeoutMs?: number;
}

export interface SqliteMigrateReport {
  /** Migration ids applied by this call (empty when the schema was already current). */
  readonly applied: readonly string[];
  /** The journal mode now in force: `wal` for a file, `memory` for `:memory:`. */
  readonly journalMode: string;
}

export const DEFAULT_TABLE = 'phoneproof_records';
export const DEFAULT_LEDGER_TABLE = 'phoneproof_consent';

/** The store table's migrations, in order. New steps are appended, never edited. */
export function storeMigrations(t: string): Migration[] {
  return [
    {
      id: `store:${t}:1`,
      statements: [
        `CREATE TABLE IF NOT EXISTS "${t}" (
          key TEXT PRIMARY KEY NOT NULL,
          value BLOB NOT NULL,
          expires_at INTEGER NOT NULL
        ) WITHOUT ROWID`,
        `CREATE INDEX IF NOT EXISTS "${t}_expires_at_idx" ON "${t}" (expires_at)`,
      ],
    },
  ];
}

/**
 * The consent ledger's tables and triggers, named from `T` (as on PostgreSQL):
 * - `T`: the entries, one row per (phone_key, seq). Triggers refuse every UPDATE, and every
 *   DELETE while the phone's chain is live (its anchor row exists): only a whole-chain purge
 *   removes entries. (SQLite has no TRUNCATE; `DELETE FROM T` runs the trigger per row.)
 * - `T_heads`: one row per phone: the newest seq and the anchor.
 * - `T_personal`: the erasable personal fields; a trigger lets an UPDATE only erase them.
 */
export function ledgerMigrations(t: string): Migration[] {
  const refuse = (op: string) =>
    `SELECT RAISE(ABORT, 'phoneproof: consent ledger entries are append-only: ${op} refused on ${t}; erase personal fields with redact')`;
  return [
    {
      id: `ledger:${t}:1`,
      statements: [
        `CREATE TABLE IF NOT EXISTS "${t}" (
          phone_key TEXT NOT NULL,
          seq INTEGER NOT NULL CHECK (seq >= 1),
          kind TEXT NOT NULL CHECK (kind IN ('opted_in', 'opted_out')),
          at INTEGER NOT NULL,
          source TEXT NOT NULL,
          text TEXT,
          version TEXT,
          keyword TEXT,
          personal_digest TEXT,
          prev TEXT NOT NULL,
          hash TEXT NOT NULL,
          PRIMARY KEY (phone_key, seq)
        ) WITHOUT ROWID`,
        `CREATE TABLE IF NOT EXISTS "${t}_heads" (
          phone_key TEXT PRIMARY KEY NOT NULL,
          seq INTEGER NOT NULL,
          anchor TEXT NOT NULL
        ) WITHOUT ROWID`,
        `CREATE TABLE IF NOT EXISTS "${t}_personal" (
          phone_key TEXT NOT NULL,
          seq INTEGER NOT NULL,
          ip TEXT,
          user_agent TEXT,
          salt TEXT,
          redacted_at INTEGER,
          PRIMARY KEY (phone_key, seq)
        ) WITHOUT ROWID`,
        `CREATE TRIGGER IF NOT EXISTS "${t}_no_update" BEFORE UPDATE ON "${t}"
          BEGIN ${refuse('UPDATE')}; END`,
        `CREATE TRIGGER IF NOT EXISTS "${t}_no_delete" BEFORE DELETE ON "${t}"
          WHEN EXISTS (SELECT 1 FROM "${t}_heads" WHERE phone_key = OLD.phone_key)
          BEGIN ${refuse('DELETE')}; END`,
        `CREATE TRIGGER IF NOT EXISTS "${t}_erase_only" BEFORE UPDATE ON "${t}_personal"
          WHEN NOT (NEW.phone_key IS OLD.phone_key AND NEW.seq IS OLD.seq
            AND NEW.ip IS NULL AND NEW.user_agent IS NULL AND NEW.salt IS NULL)
          BEGIN SELECT RAISE(ABORT, 'phoneproof: personal consent fields can only be erased'); END`,
      ],
    },
    {
      // The provider's message id of an inbound keyword, kept as evidence (MAC-covered).
      id: `ledger:${t}:2`,
      statements: [`ALTER TABLE "${t}" ADD COLUMN message_id TEXT`],
    },
    {
      // The channel consent was given or withdrawn over (evidence, MAC-covered).
      id: `ledger:${t}:3`,
      statements: [`ALTER TABLE "${t}" ADD COLUMN channel TEXT`],
    },
  ];
}

/**
 * Creates or upgrades the store and consent-ledger tables (and their triggers) in the
 * application's database, and sets `PRAGMA journal_mode = WAL` (kept by the file: readers
 * never block the writer; several processes can share it). Idempotent: each step runs once,
 * recorded in `phoneproof_migrations`. Safe when processes run it at once: the steps run in
 * one `BEGIN IMMEDIATE` transaction, so a second caller waits, then finds nothing to do.
 * Throws (and changes nothing) if a step fails; throws a TypeError on a malformed name.
 * Synchronous, like the drivers.
 */
export function migrate(
  database: SqliteDatabaseLike,
  options: SqliteMigrateOptions = {},
): SqliteMigrateReport {
  checkDatabase(database, 'migrate');
  const steps = [
    ...storeMigrations(tableName(options.table ?? DEFAULT_TABLE, 'table').bare),
    ...ledgerMigrations(tableName(options.ledgerTable ?? DEFAULT_LEDGER_TABLE, 'ledgerTable').bare),
  ];
  setBusyTimeout(database, options.busyTimeoutMs);
  // Not allowed inside a transaction; a no-op when the file is already in WAL mode.
  const mode = database.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode?: string };
  database.exec('BEGIN IMMEDIATE');
  try {
    database.exec(`CREATE TABLE IF NOT EXISTS phoneproof_migrations (
      id TEXT PRIMARY KEY NOT NULL,
      applied_at INTEGER NOT NULL
    )`);
    const rows = database.prepare('SELECT id FROM phoneproof_migrations').all();
    const have = new Set(rows.map((r) => (r as { id: string }).id));
    const record = database.prepare(
      'INSERT INTO phoneproof_migrations (id, applied_at) VALUES (?, ?)',
    );
    const applied: string[] = [];
    for (const step of steps) {
      if (have.has(step.id)) continue;
      for (const sql of step.statements) database.exec(sql);
      record.run(step.id, Date.now());
      applied.push(step.id);
    }
    database.exec('COMMIT');
    return { applied, journalMode: String(mode?.journal_mode ?? '') };
  } catch (e) {
    try {
      database.exec('ROLLBACK');
    } catch {}
    throw e;
  }
}
