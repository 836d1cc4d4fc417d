/**
 * `postgresConsentLedger`: the ConsentLedger port on PostgreSQL, through the application's
 * own `pg` Pool. Tables and triggers: `ledger-schema.ts`, created by `migrate`.
 * @module
 */

import type {
  ConsentAppendFn,
  ConsentChain,
  ConsentHead,
  ConsentLedger,
} from '../../src/ports/consent-ledger';
import { keyedSerial } from '../kit';
import { appendAfter, entryOfRow, LEDGER_COLUMNS, type LedgerRow } from '../ledger-row';
import { ledgerTables } from './ledger-schema';
import { checkPool, explain, guardPoolErrors, type PgPoolLike, prepared, tableName } from './pool';
import { DEFAULT_LEDGER_TABLE } from './schema';
import { StoreConflictError } from './store';

export interface PostgresConsentLedgerOptions {
  readonly pool: PgPoolLike;
  /** Ledger table, `table` or `schema.table` (default `phoneproof_consent`); see `migrate`. */
  readonly table?: string;
  /** Append attempts before it rejects with `StoreConflictError` (default 32). */
  readonly maxAttempts?: number;
  /** Use named prepared statements (default true); see `postgresStore`. */
  readonly preparedStatements?: boolean;
}

/** PostgreSQL text cannot hold U+0000; refuse it clearly instead of failing in the driver. */
function noNul(values: unknown[]): void {
  if (values.some((v) => typeof v === 'string' && v.includes('\u0000'))) {
    throw new RangeError('phoneproof: a consent entry or phone key contains U+0000 (NUL)');
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates a consent ledger on PostgreSQL. Run `migrate(pool)` once before use.
 *
 * - `append`: one SELECT of the head (1 round trip), then one statement that moves the
 *   phone's anchor row from the seen seq to the next (`UPDATE ... WHERE seq = seen`, or
 *   `INSERT ... ON CONFLICT DO NOTHING` for the first entry) and, only if that row moved,
 *   inserts the entry and its personal fields (1 round trip, atomic). No row moved: another
 *   append or a purge won; re-read and retry, at most `maxAttempts` times.
 * - `head`, `list`, `redact`: one statement each (a consistent snapshot).
 * - `purge`: one transaction (4 round trips) deleting the anchor row if its seq is still
 *   `headSeq`, then the personal fields and the entries.
 * - Entries are never updated; the database refuses UPDATE, TRUNCATE and DELETE on them
 *   (DELETE is let through only once the chain's anchor row is gone, i.e. in a purge).
 */
export function postgresConsentLedger(options: PostgresConsentLedgerOptions): ConsentLedger {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('phoneproof: postgresConsentLedger needs an options object ({ pool }).');
  }
  const { pool } = options;
  checkPool(pool, 'postgresConsentLedger');
  const table = tableName(options.table ?? DEFAULT_LEDGER_TABLE, 'table');
  const maxAttempts = options.maxAttempts ?? 32;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 1000) {
    throw new TypeError('phoneproof: postgresConsentLedger `maxAttempts` must be 1 to 1000.');
  }
  guardPoolErrors(pool);
  const named = options.preparedStatements ?? true;
  const t = ledgerTables(table);
  const columns = LEDGER_COLUMNS;
  const rows = `FROM ${t.entries} e LEFT JOIN ${t.personal} p
    ON p.phone_key = e.phone_key AND p.seq = e.seq WHERE e.phone_key = $1`;
  const sql = {
    head: `SELECT h.anchor, h.seq AS head_seq,
      (SELECT row_to_json(x) FROM (SELECT ${columns} ${rows} ORDER BY e.seq DESC LIMIT 1) x) AS entry
      FROM (SELECT 1) one LEFT JOIN ${t.heads} h ON h.phone_key = $1`,
    list: `SELECT h.anchor,
      (SELECT coalesce(json_agg(x ORDER BY x.seq), '[]'::json) FROM (SELECT ${columns} ${rows}) x) AS entries
      FROM (SELECT 1) one LEFT JOIN ${t.heads} h ON h.phone_key = $1`,
    append: (first: boolean) => `WITH h AS (${
      first
        ? `INSERT INTO ${t.heads} (phone_key, seq, anchor) VALUES ($1, $2::bigint, $3)
           ON CONFLICT (phone_key) DO NOTHING RETURNING phone_key`
        : `UPDATE ${t.heads} SET seq = $2::bigint, anchor = $3
           WHERE phone_key = $1 AND seq = $2::bigint - 1 RETURNING phone_key`
    }), e AS (
      INSERT INTO ${t.entries} (phone_key, seq, kind, at, source, text, version, keyword,
        personal_digest, prev, hash, message_id)
      SELECT $1, $2::bigint, $4, $5::bigint, $6, $7, $8, $9, $10, $11, $12, $17 FROM h RETURNING 1
    ), p AS (
      INSERT INTO ${t.personal} (phone_key, seq, ip, user_agent, salt, redacted_at)
      SELECT $1, $2::bigint, $13, $14, $15, $16::bigint FROM h
      WHERE $13::text IS NOT NULL OR $14::text IS NOT NULL OR $15::text IS NOT NULL
        OR $16::bigint IS NOT NULL
      RETURNING 1
    ) SELECT count(*)::int AS moved FROM h`,
    redact: `UPDATE ${t.personal} SET ip = NULL, user_agent = NULL, salt = NULL,
      redacted_at = $2::bigint
      WHERE phone_key = $1 AND (ip IS NOT NULL OR user_agent IS NOT NULL OR salt IS NOT NULL)`,
    purgeHead: `DELETE FROM ${t.heads} WHERE phone_key = $1 AND seq = $2::bigint`,
    purgeRest: `WITH p AS (DELETE FROM ${t.personal} WHERE phone_key = $1)
      DELETE FROM ${t.entries} WHERE phone_key = $1`,
  };

  const run = async (text: string, values: unknown[]) => {
    noNul(values);
    try {
      return await pool.query(prepared(text, values, named));
    } catch (e) {
      throw explain(e, table);
    }
  };

  type HeadRow = { anchor: string | null; head_seq: string | null; entry: LedgerRow | null };
  const readHead = async (pk: string) => {
    const r = (await run(sql.head, [pk])).rows[0] as HeadRow;
    const head: ConsentHead = {
      ...(r.entry ? { entry: entryOfRow(r.entry) } : {}),
      ...(r.anchor !== null ? { anchor: r.anchor } : {}),
    };
    return { head, anchorSeq: r.head_seq === null ? 0 : Number(r.head_seq) };
  };

  async function append<T>(pk: string, fn: ConsentAppendFn<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const { head, anchorSeq } = await readHead(pk);
      const { result, write } = fn(head);
      if (!write) return result;
      const seen = appendAfter(head, anchorSeq, write.entry);
      const e = write.entry;
      const values = [pk, e.seq, write.anchor, e.kind, e.at, e.source, e.text ?? null];
      values.push(e.version ?? null, e.keyword ?? null, e.personalDigest ?? null, e.prev, e.hash);
      values.push(e.ip ?? null, e.userAgent ?? null, e.salt ?? null, e.redactedAt ?? null);
      values.push(e.messageId ?? null);
      const moved = (await run(sql.append(seen === 0), values)).rows[0] as { moved: number };
      if (moved.moved === 1) return result;
      if (attempt >= maxAttempts) {
        throw new StoreConflictError(
          `phoneproof: consent append still conflicted after ${maxAttempts} attempts`,
        );
      }
      if (attempt > 1) await sleep(Math.random() * Math.min(50, 2 ** attempt));
    }
  }

  // Appends for one phone from this instance run one after another.
  const serial = keyedSerial();
  const ledger: ConsentLedger = {
    append: (pk, fn) => serial(pk, () => append(pk, fn)),
    async head(pk) {
      return (await readHead(pk)).head;
    },
    async list(pk): Promise<ConsentChain> {
      const r = (await run(sql.list, [pk])).rows[0] as {
        anchor: string | null;
        entries: LedgerRow[];
      };
      return {
        entries: r.entries.map(entryOfRow),
        ...(r.anchor !== null ? { anchor: r.anchor } : {}),
      };
    },
    async redact(pk, at) {
      return (await run(sql.redact, [pk, at])).rowCount ?? 0;
    },
    async purge(pk, headSeq) {
      noNul([pk]);
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query({ text: 'BEGIN' });
        const gone = await client.query({ text: sql.purgeHead, values: [pk, headSeq] });
        if (gone.rowCount !== 1) {
          await client.query({ text: 'ROLLBACK' });
          return false;
        }
        await client.query({ text: sql.purgeRest, values: [pk] });
        await client.query({ text: 'COMMIT' });
        return true;
      } catch (e) {
        broken = e instanceof Error ? e : new Error(String(e));
        await client.query({ text: 'ROLLBACK' }).catch(() => {});
        throw explain(e, table);
      } finally {
        client.release(broken);
      }
    },
  };
  return ledger;
}
