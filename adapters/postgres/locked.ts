/**
 * PostgreSQL's locked read-modify-write (the `exclusive` primitive): the fallback the store
 * kit takes for a key that keeps losing races. @internal
 * @module
 */
import { StoreConflictError, type Transition } from '../../src/ports/store';
import { type Exclusive, ttlMsOf } from '../store-kit';
import { type PgContext, type PgRecord, type Run, recordOf, versionOf } from './rows';

interface LockedRow {
  readonly value: Buffer | string;
  readonly version: string;
  readonly live: boolean;
}

/** One round inside the transaction: lock, decide, write. `done` false: decide again. */
async function round<T>(c: PgContext, q: Run, key: string, fn: Transition<T>) {
  const row = (await q(c.sql.lockRow, [key])).rows[0] as LockedRow | undefined;
  let record = recordOf(row?.live ? row : undefined);
  const { result, write } = fn(record?.value);
  let done = true;
  if (write && 'delete' in write) {
    if (record) await q(c.sql.lockedRemove, [key]);
    record = undefined;
  } else if (write) {
    const args = [key, Buffer.from(write.value, 'utf8'), ttlMsOf(write)];
    const r = row ? await q(c.sql.lockedUpdate, args) : await q(c.sql.lockedInsert, args);
    done = row !== undefined || r.rowCount === 1;
    record = r.rows.length > 0 ? { value: write.value, version: versionOf(r.rows) } : undefined;
  }
  return { done, result, record, wrote: write !== undefined };
}

/**
 * One transaction that locks the row (`SELECT ... FOR UPDATE`, waiting in PostgreSQL's
 * queue), so its write cannot conflict. A record absent when read may be created by someone
 * else meanwhile (`INSERT ... ON CONFLICT DO NOTHING` affects no row): then lock that row and
 * decide again.
 */
export async function lockedUpdate<T>(
  c: PgContext,
  key: string,
  fn: Transition<T>,
): Promise<Exclusive<T, PgRecord>> {
  const client = await c.pool.connect();
  const q = c.on(client);
  let broken: Error | undefined;
  try {
    await client.query({ text: 'BEGIN' });
    for (let n = 0; n < 3; n += 1) {
      const { done, result, record, wrote } = await round(c, q, key, fn);
      if (done) {
        await client.query({ text: 'COMMIT' });
        if (wrote) c.wrote();
        return { result, record };
      }
    }
    throw new StoreConflictError(`phoneproof: could not lock a record in ${c.table.sql}`);
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
