/**
 * `postgresConsentLedger`: the ConsentLedger port on PostgreSQL, through the application's
 * own `pg` Pool. Tables and triggers: `ledger-schema.ts`, created by `migrate`.
 * @module
 */

import type {
  ConsentAppendFn,
  ConsentChain,
  ConsentEntry,
  ConsentHead,
  ConsentLedger,
} from '../../src/ports/consent-ledger';
import { StoreConflictError } from '../../src/ports/store';
import { appendAfter, entryOfRow, type LedgerRow } from '../ledger-row';
import { backoffMs, intOption, keyedSerial } from '../store-kit';
import { ledgerTables } from './ledger-schema';
import { ledgerStatements } from './ledger-statements';
import {
  checkPool,
  explain,
  guardPoolErrors,
  type PgPoolLike,
  prepared,
  type TableName,
  tableName,
} from './pool';
import { DEFAULT_LEDGER_TABLE } from './schema';

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

/** The append statement's parameters ($1 to $18). */
function appendValues(pk: string, e: ConsentEntry, anchor: string): unknown[] {
  const values = [pk, e.seq, anchor, e.kind, e.at, e.source, e.text ?? null];
  values.push(e.version ?? null, e.keyword ?? null, e.personalDigest ?? null, e.prev, e.hash);
  values.push(e.ip ?? null, e.userAgent ?? null, e.salt ?? null, e.redactedAt ?? null);
  values.push(e.messageId ?? null, e.channel ?? null);
  return values;
}

/**
 * One transaction (4 round trips): delete the anchor row if its seq is still `headSeq`, then
 * the personal fields and the entries. Resolves false when the head moved.
 */
async function purge(
  pool: PgPoolLike,
  sql: ReturnType<typeof ledgerStatements>,
  table: TableName,
  pk: string,
  headSeq: number,
): Promise<boolean> {
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
}

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
const who = 'postgresConsentLedger';

export function postgresConsentLedger(options: PostgresConsentLedgerOptions): ConsentLedger {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('phoneproof: postgresConsentLedger needs an options object ({ pool }).');
  }
  const { pool } = options;
  checkPool(pool, 'postgresConsentLedger');
  const table = tableName(options.table ?? DEFAULT_LEDGER_TABLE, 'table');
  const maxAttempts = intOption(options.maxAttempts ?? 32, 'maxAttempts', 1, 1000, who);
  guardPoolErrors(pool);
  const named = options.preparedStatements ?? true;
  const sql = ledgerStatements(ledgerTables(table));

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
      const values = appendValues(pk, write.entry, write.anchor);
      const moved = (await run(sql.append(seen === 0), values)).rows[0] as { moved: number };
      if (moved.moved === 1) return result;
      if (attempt >= maxAttempts) {
        throw new StoreConflictError(
          `phoneproof: consent append still conflicted after ${maxAttempts} attempts`,
        );
      }
      const wait = backoffMs(attempt);
      if (wait > 0) await sleep(wait);
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
    purge: (pk, headSeq) => purge(pool, sql, table, pk, headSeq),
  };
  return ledger;
}
