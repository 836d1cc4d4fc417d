/**
 * `sqliteConsentLedger`: the ConsentLedger port on SQLite, through the application's own
 * handle. Tables and triggers: `ledgerMigrations` in `migrate.ts`.
 * @module
 */

import type {
  ConsentAppendFn,
  ConsentChain,
  ConsentEntry,
  ConsentHead,
  ConsentLedger,
} from '../../src/ports/consent-ledger';
import { appendAfter, entryOfRow, type LedgerRow } from '../ledger-row';
import {
  type Connection,
  checkDatabase,
  connection,
  explainer,
  type SqliteDatabaseLike,
  tableName,
} from './database';
import { ledgerStatements } from './ledger-statements';
import { DEFAULT_LEDGER_TABLE } from './migrate';

export interface SqliteConsentLedgerOptions {
  /** The application's open handle. Run `migrate(database)` once before use. */
  readonly database: SqliteDatabaseLike;
  /** Ledger table (default `phoneproof_consent`); see `migrate`. */
  readonly table?: string;
  /** `PRAGMA busy_timeout` for this handle, in ms; see `sqliteStore`. */
  readonly busyTimeoutMs?: number;
  /**
   * Set `PRAGMA secure_delete = ON` on this handle (default true), so that the bytes of
   * erased personal fields and purged chains are overwritten with zeros, not left in free
   * space of the file. `redact` and `purge` also checkpoint the WAL (`TRUNCATE`) after they
   * commit, so the old page copies leave the WAL file too (best effort: a reader still on an
   * older snapshot in another process defers that to a later checkpoint).
   */
  readonly secureDelete?: boolean;
}

/** Inside the append's transaction: moves the anchor row, inserts the entry and its personal fields. */
function insertEntry(
  db: Connection,
  sql: ReturnType<typeof ledgerStatements>,
  pk: string,
  seen: number,
  e: ConsentEntry,
  anchor: string,
): void {
  if (seen === 0) db.run(sql.firstHead, pk, e.seq, anchor);
  else db.run(sql.moveHead, e.seq, anchor, pk, seen);
  const fields = [e.kind, e.at, e.source, e.text ?? null, e.version ?? null, e.keyword ?? null];
  fields.push(e.personalDigest ?? null, e.prev, e.hash, e.messageId ?? null, e.channel ?? null);
  db.run(sql.entry, pk, e.seq, ...fields);
  const personal = [e.ip ?? null, e.userAgent ?? null, e.salt ?? null, e.redactedAt ?? null];
  if (personal.some((v) => v !== null)) db.run(sql.personal, pk, e.seq, ...personal);
}

/**
 * Creates a consent ledger on SQLite. Run `migrate(database)` once before use.
 *
 * - `append`: one `BEGIN IMMEDIATE` transaction (the write lock first: exact across
 *   processes sharing the file): read the head, run `fn`, then move the anchor row and insert
 *   the entry and its personal fields, and commit. `fn` runs once.
 * - `head`, `list`: one read transaction each (a consistent snapshot); `redact`: one UPDATE.
 * - `purge`: one `BEGIN IMMEDIATE` transaction deleting the anchor row if its seq is still
 *   `headSeq`, then the personal fields and the entries.
 * - Entries are never updated; the database refuses UPDATE and DELETE on them (DELETE only
 *   once the chain's anchor row is gone, i.e. in a purge), and lets personal fields only be
 *   erased. Erased and purged bytes are zeroed in the file and checkpointed out of the WAL
 *   (see `secureDelete`).
 */
export function sqliteConsentLedger(options: SqliteConsentLedgerOptions): ConsentLedger {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('phoneproof: sqliteConsentLedger needs an options object ({ database }).');
  }
  const { database } = options;
  checkDatabase(database, 'sqliteConsentLedger');
  const table = tableName(options.table ?? DEFAULT_LEDGER_TABLE, 'table');
  const db = connection(database, options.busyTimeoutMs, explainer(table.sql));
  if (options.secureDelete ?? true) database.exec('PRAGMA secure_delete = ON');
  /** Moves the WAL into the file and empties it, so erased bytes leave the WAL too. */
  const checkpoint = () => {
    try {
      database.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
    } catch {
      // best effort: the next checkpoint (automatic, every 1000 pages) does it
    }
  };
  const sql = ledgerStatements(table.bare);

  /** Inside a transaction: the head and the seq its anchor row names (0: none). */
  const readHead = (pk: string) => {
    const a = db.get<{ seq: number | bigint; anchor: string }>(sql.anchor, pk);
    const newest = db.get<LedgerRow>(sql.newest, pk);
    const head: ConsentHead = {
      ...(newest ? { entry: entryOfRow(newest) } : {}),
      ...(a ? { anchor: a.anchor } : {}),
    };
    return { head, anchorSeq: a ? Number(a.seq) : 0 };
  };

  function append<T>(pk: string, fn: ConsentAppendFn<T>): T {
    return db.transaction('immediate', () => {
      const { head, anchorSeq } = readHead(pk);
      const { result, write } = fn(head);
      if (!write) return result;
      const seen = appendAfter(head, anchorSeq, write.entry);
      insertEntry(db, sql, pk, seen, write.entry, write.anchor);
      return result;
    });
  }

  return {
    append: async (pk, fn) => append(pk, fn),
    async head(pk) {
      return db.transaction('deferred', () => readHead(pk)).head;
    },
    async list(pk): Promise<ConsentChain> {
      return db.transaction('deferred', () => {
        const a = db.get<{ anchor: string }>(sql.anchor, pk);
        const entries = db.all<LedgerRow>(sql.all, pk).map(entryOfRow);
        return { entries, ...(a ? { anchor: a.anchor } : {}) };
      });
    },
    async redact(pk, at) {
      const changed = db.run(sql.redact, at, pk);
      if (changed > 0) checkpoint();
      return changed;
    },
    async purge(pk, headSeq) {
      const purged = db.transaction('immediate', () => {
        if (db.run(sql.purgeHead, pk, headSeq) !== 1) return false;
        db.run(sql.purgePersonal, pk);
        db.run(sql.purgeEntries, pk);
        return true;
      });
      if (purged) checkpoint();
      return purged;
    },
  };
}
