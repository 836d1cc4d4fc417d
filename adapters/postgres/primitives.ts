/**
 * PostgreSQL's store primitives: a `SELECT` of the live row and its version, a conditional
 * write on that version (or, on a guess, on the cached version and value, answering the row
 * as it is when it does not apply), and the locked path (./locked.ts). @internal
 * @module
 */
import type { StoreWrite } from '../../src/ports/store';
import { type StorePrimitives, ttlMsOf, type WriteOutcome } from '../store-kit';
import { lockedUpdate } from './locked';
import { bytes, type PgContext, type PgRecord, type Row, recordOf, text, versionOf } from './rows';
import { postgresTime } from './time';

/** What a guessed write's statement answers: it landed, or the row as it is now. */
interface GuessRow {
  readonly ok: boolean;
  readonly version: string;
  readonly value: Buffer | string | null;
}

/** A write conditional on the version just read; no answer on a conflict. */
async function conditional(
  c: PgContext,
  key: string,
  seen: PgRecord | undefined,
  write: StoreWrite,
) {
  const run = c.on(c.pool);
  if ('delete' in write) {
    const r = await run(c.sql.remove, [key, seen!.version]);
    return r.rowCount === 1 ? { record: undefined } : undefined;
  }
  const ttl = ttlMsOf(write);
  const r = seen
    ? await run(c.sql.update, [key, bytes(write.value), ttl, seen.version])
    : await run(c.sql.insert, [key, bytes(write.value), ttl]);
  return r.rowCount === 1
    ? { record: { value: write.value, version: versionOf(r.rows) } }
    : undefined;
}

/** A write conditional on a guess (cached version and value, or absence); answers the row. */
async function guessed(
  c: PgContext,
  key: string,
  cached: PgRecord | undefined,
  write: StoreWrite,
): Promise<WriteOutcome<PgRecord>> {
  const run = c.on(c.pool);
  let rows: unknown[];
  if ('delete' in write) {
    rows = (await run(c.sql.guessRemove, [key, cached!.version, bytes(cached!.value)])).rows;
  } else {
    const args = [key, bytes(write.value), ttlMsOf(write)];
    rows = cached
      ? (await run(c.sql.guessUpdate, [...args, cached.version, bytes(cached.value)])).rows
      : (await run(c.sql.guessInsert, args)).rows;
  }
  const row = rows[0] as GuessRow | undefined;
  if (row?.ok) {
    const record =
      'delete' in write ? undefined : { value: write.value, version: String(row.version) };
    return { applied: true, record };
  }
  const live =
    row && row.value !== null
      ? { value: text(row.value), version: String(row.version) }
      : undefined;
  return { applied: false, current: live };
}

/** PostgreSQL's primitives for `storeKit`. */
export function postgresPrimitives(c: PgContext): StorePrimitives<PgRecord> {
  const run = c.on(c.pool);
  return {
    read: async (key) => recordOf((await run(c.sql.read, [key])).rows[0] as Row | undefined),
    async write({ key, expected, write, guess }) {
      if (guess) {
        const outcome = await guessed(c, key, expected, write);
        if (outcome.applied) c.wrote();
        return outcome;
      }
      const landed = await conditional(c, key, expected, write);
      if (!landed) return { applied: false };
      c.wrote();
      return { applied: true, record: landed.record };
    },
    exclusive: (key, fn) => lockedUpdate(c, key, fn),
    time: () => postgresTime(c.pool),
  };
}
