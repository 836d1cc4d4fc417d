/**
 * PostgreSQL's store primitives: a `SELECT` of the live row and its version, the batched
 * read and the batched conditional write (./batch.ts: one statement each, on the versions
 * read, or on a guess on the cached versions and values, answering the rows as they are when
 * it does not apply), and the locked path (./locked.ts). @internal
 * @module
 */
import { type ManyOutcome, type StorePrimitives, ttlMsOf } from '../store-kit';
import { type BatchArgs, batchValues, CONFLICT_MARK } from './batch';
import { lockedUpdateMany } from './locked';
import { type PgContext, type PgRecord, type Row, recordOf, text } from './rows';
import { postgresTime } from './time';

/** What the batched write answers (one row). */
interface BatchRow {
  readonly ok: boolean;
  readonly keys: string[] | null;
  readonly versions: string[] | null;
  /** Base64: stored bytes are decoded as every read decodes them (./rows.ts `text`). */
  readonly vals: string[] | null;
}

/** A batched write's SQL arguments. */
function argsOf(ops: Parameters<Required<StorePrimitives<PgRecord>>['writeMany']>[0]): BatchArgs {
  const a: BatchArgs = { keys: [], versions: [], values: [], next: [], ttls: [], ops: [] };
  for (const { key, expected, write, guess } of ops) {
    a.keys.push(key);
    a.versions.push(expected?.version ?? null);
    a.values.push(guess && expected ? expected.value : null);
    const set = write !== undefined && !('delete' in write) ? write : undefined;
    a.next.push(set ? set.value : null);
    a.ttls.push(set ? ttlMsOf(set) : null);
    a.ops.push(write === undefined ? 'c' : 'delete' in write ? 'd' : 's');
  }
  return a;
}

const conflicted = (e: unknown) => e instanceof Error && e.message.includes(CONFLICT_MARK);

/** PostgreSQL's primitives for `storeKit`. */
export function postgresPrimitives(c: PgContext): StorePrimitives<PgRecord> {
  const run = c.on(c.pool);
  return {
    read: async (key) => recordOf((await run(c.sql.read, [key])).rows[0] as Row | undefined),
    async readMany(keys) {
      const rows = (await run(c.sql.readMany, [keys])).rows as (Row & { key: string })[];
      const byKey = new Map(rows.map((r) => [r.key, recordOf(r)]));
      return keys.map((k) => byKey.get(k));
    },
    async writeMany(ops): Promise<ManyOutcome<PgRecord>> {
      let row: BatchRow | undefined;
      try {
        row = (await run(c.sql.batchWrite, batchValues(argsOf(ops)))).rows[0] as BatchRow;
        if (!row) return { applied: false }; // not our statement's answer: read again
      } catch (e) {
        if (conflicted(e)) return { applied: false }; // rolled back: nothing written
        throw e;
      }
      const keys = row.keys ?? [];
      const at = (k: string) => keys.indexOf(k);
      if (row.ok) {
        c.wrote();
        const records = ops.map(({ key, write, expected }) => {
          if (write === undefined) return expected;
          if ('delete' in write) return undefined;
          return { value: write.value, version: String(row.versions![at(key)]) };
        });
        return { applied: true, records };
      }
      const current = ops.map(({ key }) => {
        const i = at(key);
        if (i < 0) return undefined;
        return { value: text(Buffer.from(row.vals![i]!, 'base64')), version: row.versions![i]! };
      });
      return { applied: false, current };
    },
    exclusiveMany: (keys, fn) => lockedUpdateMany(c, keys, fn),
    time: () => postgresTime(c.pool),
  };
}
