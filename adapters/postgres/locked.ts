/**
 * PostgreSQL's locked read-modify-write of N keys (the `exclusiveMany` primitive): the
 * fallback the store kit takes for keys that keep losing races. @internal
 * @module
 */
import { type MultiTransition, StoreConflictError } from '../../src/ports/store';
import { type ExclusiveMany, ttlMsOf } from '../store-kit';
import { bytes, type PgContext, type PgRecord, type Run, recordOf, versionOf } from './rows';

interface LockedRow {
  readonly key: string;
  readonly value: Buffer | string;
  readonly version: string;
  readonly live: boolean;
}

/** The rows were not all there once locked (never, with a sound table). */
const cannotLock = (c: PgContext) =>
  new StoreConflictError(`phoneproof: could not lock the records in ${c.table.sql}`);

/**
 * Every key's row, locked: placeholders for the missing ones, then `FOR UPDATE`. A row
 * deleted between the two (by a writer that had it locked) is made again, up to 3 times.
 */
async function lockAll(c: PgContext, q: Run, keys: readonly string[]): Promise<LockedRow[]> {
  const sorted = [...keys].sort();
  for (let n = 0; n < 3; n += 1) {
    await q(c.sql.placeholders, [sorted]);
    const rows = (await q(c.sql.lockRows, [sorted])).rows as LockedRow[];
    if (rows.length === keys.length) return rows;
  }
  throw cannotLock(c);
}

/** Decides on the locked rows and writes; answers the result and the records after. */
async function decide<T>(c: PgContext, q: Run, keys: readonly string[], fn: MultiTransition<T>) {
  const rows = await lockAll(c, q, keys);
  const byKey = new Map(rows.map((r) => [r.key, r.live ? recordOf(r) : undefined]));
  const seen = keys.map((k) => byKey.get(k));
  const { result, writes = [] } = fn(seen.map((r) => r?.value));
  const ttls = keys.map((_, i) => {
    const w = writes[i];
    return w && !('delete' in w) ? ttlMsOf(w) : 0; // every TTL checked before any write
  });
  const records: (PgRecord | undefined)[] = [...seen];
  let wrote = false;
  for (const [i, key] of keys.entries()) {
    const w = writes[i];
    if (!w) continue;
    wrote = true;
    if ('delete' in w) {
      await q(c.sql.lockedRemove, [key]);
      records[i] = undefined;
    } else {
      const r = await q(c.sql.lockedUpdate, [key, bytes(w.value), ttls[i]]);
      if (r.rowCount !== 1) throw cannotLock(c);
      records[i] = { value: w.value, version: versionOf(r.rows) };
    }
  }
  return { result, records, wrote };
}

/**
 * One transaction: a placeholder row (expired, so it reads as absent) for each key that has
 * none, then every row locked in key order (`SELECT ... FOR UPDATE`, waiting in
 * PostgreSQL's queue), so the decision and its writes cannot conflict, absent keys
 * included; placeholders left unwritten are swept as any expired row.
 */
export async function lockedUpdateMany<T>(
  c: PgContext,
  keys: readonly string[],
  fn: MultiTransition<T>,
): Promise<ExclusiveMany<T, PgRecord>> {
  const client = await c.pool.connect();
  const q = c.on(client);
  let broken: Error | undefined;
  try {
    await client.query({ text: 'BEGIN' });
    const { result, records, wrote } = await decide(c, q, keys, fn);
    await client.query({ text: 'COMMIT' });
    if (wrote) c.wrote();
    return { result, records };
  } catch (e) {
    // A connection that cannot even roll back is discarded, not returned to the pool.
    await client.query({ text: 'ROLLBACK' }).catch((r: unknown) => {
      broken = r instanceof Error ? r : new Error(String(r));
    });
    throw e;
  } finally {
    client.release(broken);
  }
}
