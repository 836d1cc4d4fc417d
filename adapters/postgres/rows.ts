/**
 * The PostgreSQL store's rows and context: a record as read (value and row version), the
 * statement runner (prepared once per connection, a missing table explained) and what the
 * primitives share. @internal
 * @module
 */
import type { PgPoolLike, PgQuery, PgResult } from './pool';
import { explain, prepared, type TableName } from './pool';
import type { statements } from './statements';

/** A live row: its value and row version (from a sequence: never reused). */
export interface PgRecord {
  readonly value: string;
  readonly version: string;
}

export interface Row {
  readonly value: Buffer | string;
  readonly version: string;
}

export const text = (value: Buffer | string) =>
  Buffer.isBuffer(value) ? value.toString('utf8') : value;
export const recordOf = (row: Row | undefined): PgRecord | undefined =>
  row === undefined ? undefined : { value: text(row.value), version: String(row.version) };
export const versionOf = (rows: unknown[]) => String((rows[0] as { version: unknown }).version);
export const bytes = (value: string) => Buffer.from(value, 'utf8');

/** Runs one statement: prepared once per connection, a missing table explained. */
export type Run = (text: string, values: unknown[]) => Promise<PgResult>;

/** The statement runner of one store: names computed once per statement text. */
export function runner(table: TableName, named: boolean) {
  const names = new Map<string, PgQuery>();
  const query = (text: string, values: unknown[]): PgQuery => {
    let base = names.get(text);
    if (!base) {
      base = prepared(text, [], named);
      names.set(text, base);
    }
    return { ...base, values };
  };
  const on =
    (db: { query(q: PgQuery): Promise<PgResult> }): Run =>
    async (text, values) => {
      try {
        return await db.query(query(text, values));
      } catch (e) {
        throw explain(e, table);
      }
    };
  return on;
}

/** The store's context: its pool, SQL, runner and the sweep trigger after each write. */
export interface PgContext {
  readonly pool: PgPoolLike;
  readonly table: TableName;
  readonly sql: ReturnType<typeof statements>;
  readonly on: ReturnType<typeof runner>;
  /** Called after every write that landed (runs a sweep every `sweepEvery`). */
  readonly wrote: () => void;
}
