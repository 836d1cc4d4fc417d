/**
 * `sqliteConsentLedger`: the ConsentLedger port on SQLite, through the application's own
 * handle. Tables and triggers: `ledgerMigrations` in `migrate.ts`.
 * @module
 */

import type {
  ConsentAppendFn,
  ConsentChain,
  ConsentHead,
  ConsentLedger,
} from '../../src/ports/consent-ledger';
import { appendAfter, entryOfRow, LEDGER_COLUMNS, type LedgerRow } from '../ledger-row';
import {
  checkDatabase,
  connection,
  explainer,
  type SqliteDatabaseLike,
  tableName,
} from './database';
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
  const t = table.bare;
  const columns = LEDGER_COLUMNS;
  const rows = `FROM "${t}" e LEFT JOIN "${t}_personal" p
    ON p.phone_key = e.phone_key AND p.seq = e.seq WHERE e.phone_key = ?`;
  const sql = {
    anchor: `SELECT seq, anchor FROM "${t}_heads" WHERE phone_key = ?`,
    newest: `SELECT ${columns} ${rows} ORDER BY e.seq DESC LIMIT 1`,
    all: `SELECT ${columns} ${rows} ORDER BY e.seq`,
    firstHead: `INSERT INTO "${t}_heads" (phone_key, seq, anchor) VALUES (?, ?, ?)`,
    moveHead: `UPDATE "${t}_heads" SET seq = ?, anchor = ? WHERE phone_key = ? AND seq = ?`,
    entry: `INSERT INTO "${t}" (phone_key, seq, kind, at, source, text, version, keyword,
      personal_digest, prev, hash, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    personal: `INSERT INTO "${t}_personal" (phone_key, seq, ip, user_agent, salt, redacted_at)
      VALUES (?, ?, ?, ?, ?, ?)`,
    redact: `UPDATE "${t}_personal" SET ip = NULL, user_agent = NULL, salt = NULL,
      redacted_at = ?
      WHERE phone_key = ? AND (ip IS NOT NULL OR user_agent IS NOT NULL OR salt IS NOT NULL)`,
    purgeHead: `DELETE FROM "${t}_heads" WHERE phone_key = ? AND seq = ?`,
    purgePersonal: `DELETE FROM "${t}_personal" WHERE phone_key = ?`,
    purgeEntries: `DELETE FROM "${t}" WHERE phone_key = ?`,
  };

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
      const e = write.entry;
      if (seen === 0) db.run(sql.firstHead, pk, e.seq, write.anchor);
      else db.run(sql.moveHead, e.seq, write.anchor, pk, seen);
      db.run(
        sql.entry,
        pk,
        e.seq,
        e.kind,
        e.at,
        e.source,
        e.text ?? null,
        e.version ?? null,
        e.keyword ?? null,
        e.personalDigest ?? null,
        e.prev,
        e.hash,
        e.messageId ?? null,
      );
      const personal = [e.ip ?? null, e.userAgent ?? null, e.salt ?? null, e.redactedAt ?? null];
      if (personal.some((v) => v !== null)) db.run(sql.personal, pk, e.seq, ...personal);
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
