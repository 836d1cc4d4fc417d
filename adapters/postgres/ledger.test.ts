import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chainEntry, chainKey } from '../../src/consent/chain';
import { consentLedgerContract } from '../../test/contract/consent-ledger';
import { DATABASE_URL, pgPool, runId, serviceAvailable } from '../../test/load/services';
import { postgresConsentLedger } from './ledger';
import { migrate } from './migrate';
import { countingPool } from './testing';

const up = await serviceAvailable('postgres');

/** Drops a ledger's tables and functions and forgets its migration records. */
async function dropLedger(pool: pg.Pool, t: string) {
  for (const suffix of ['', '_heads', '_personal'])
    await pool.query(`DROP TABLE IF EXISTS "${t}${suffix}"`);
  for (const fn of ['_append_only', '_erase_only'])
    await pool.query(`DROP FUNCTION IF EXISTS "${t}${fn}"()`);
  await pool.query('DELETE FROM phoneproof_migrations WHERE id LIKE $1', [`ledger:${t}:%`]);
}

/** A session that bypasses triggers, as someone with owner rights on the database could. */
async function rawSession() {
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  await c.query('SET session_replication_role = replica');
  return c;
}

describe.skipIf(!up)('postgresConsentLedger', () => {
  consentLedgerContract('postgres', async () => {
    const pool = pgPool();
    const t = runId('pp_ledger');
    await migrate(pool, { table: 'phoneproof_records', ledgerTable: t });
    const raw = await rawSession();
    const cols: Record<string, string> = {
      text: 'text',
      at: 'at',
      kind: 'kind',
      version: 'version',
    };
    return {
      ledger: postgresConsentLedger({ pool, table: t }),
      reset: async () => {
        await raw.query(
          `DELETE FROM "${t}_personal"; DELETE FROM "${t}"; DELETE FROM "${t}_heads"`,
        );
      },
      close: async () => {
        await raw.end();
        await dropLedger(pool, t);
        await pool.end();
      },
      tamper: {
        async edit(pk, seq, patch) {
          for (const [field, value] of Object.entries(patch)) {
            const [table, col] = field === 'ip' ? [`${t}_personal`, 'ip'] : [t, cols[field]!];
            const r = await raw.query(
              `UPDATE "${table}" SET ${col} = $3 WHERE phone_key = $1 AND seq = $2`,
              [pk, seq, value],
            );
            if (r.rowCount !== 1) throw new Error(`tamper: no row ${pk}/${seq} in ${table}`);
          }
        },
        async remove(pk, seq) {
          await raw.query(`DELETE FROM "${t}" WHERE phone_key = $1 AND seq = $2`, [pk, seq]);
        },
      },
    };
  });

  describe('append-only in the database', () => {
    const t = runId('pp_ledger');
    const key = chainKey(Buffer.alloc(32, 9));
    let pool: pg.Pool;
    beforeAll(async () => {
      pool = pgPool();
      await migrate(pool, { ledgerTable: t });
    });
    beforeEach(async () => {
      const raw = await rawSession();
      await raw.query(`DELETE FROM "${t}_personal"; DELETE FROM "${t}"; DELETE FROM "${t}_heads"`);
      await raw.end();
    });
    afterAll(async () => {
      await dropLedger(pool, t);
      await pool.end();
    });
    const draft = (i: number) => ({
      kind: 'opted_in' as const,
      at: 1_893_456_000_000 + i,
      source: 'web_form',
      text: 'I agree.',
      version: '1',
      ip: '192.0.2.1',
      salt: `salt${i}`,
    });
    const append = (ledger: ReturnType<typeof postgresConsentLedger>, pk: string, i: number) =>
      ledger.append(pk, (head) => {
        const write = chainEntry(key, pk, head, draft(i));
        return { result: write.entry, write };
      });

    it('a trigger refuses a direct UPDATE, DELETE or TRUNCATE of entries', async () => {
      const ledger = postgresConsentLedger({ pool, table: t });
      await append(ledger, 'pk', 0);
      await append(ledger, 'pk', 1);
      await expect(pool.query(`UPDATE "${t}" SET text = 'I agree to everything.'`)).rejects.toThrow(
        /append-only: UPDATE refused/,
      );
      await expect(pool.query(`DELETE FROM "${t}" WHERE seq = 2`)).rejects.toThrow(
        /append-only: DELETE refused/,
      );
      await expect(pool.query(`TRUNCATE "${t}"`)).rejects.toThrow(/append-only: TRUNCATE refused/);
      expect((await ledger.list('pk')).entries.map((e) => e.text)).toEqual([
        'I agree.',
        'I agree.',
      ]);
    });

    it('a trigger lets personal fields only be erased, never rewritten', async () => {
      const ledger = postgresConsentLedger({ pool, table: t });
      await append(ledger, 'pk', 0);
      await expect(pool.query(`UPDATE "${t}_personal" SET ip = '198.51.100.7'`)).rejects.toThrow(
        /can only be erased/,
      );
      expect(await ledger.redact('pk', 1)).toBe(1);
      const [entry] = (await ledger.list('pk')).entries;
      expect(entry).not.toHaveProperty('ip');
      expect(entry?.redactedAt).toBe(1);
    });

    it('purge is the only way entries leave, and only for the current head', async () => {
      const ledger = postgresConsentLedger({ pool, table: t });
      await append(ledger, 'pk', 0);
      await append(ledger, 'pk', 1);
      expect(await ledger.purge('pk', 1)).toBe(false);
      expect(Number((await pool.query(`SELECT count(*) FROM "${t}"`)).rows[0].count)).toBe(2);
      expect(await ledger.purge('pk', 2)).toBe(true);
      expect(Number((await pool.query(`SELECT count(*) FROM "${t}"`)).rows[0].count)).toBe(0);
      expect(Number((await pool.query(`SELECT count(*) FROM "${t}_personal"`)).rows[0].count)).toBe(
        0,
      );
    });

    it('the library has no update or delete of a single entry: its API is append, redact, purge', () => {
      const ledger = postgresConsentLedger({ pool, table: t });
      expect(Object.keys(ledger).sort()).toEqual(['append', 'head', 'list', 'purge', 'redact']);
    });

    it('append costs 2 round trips; head, list and redact 1 each', async () => {
      const { wrapped, calls } = countingPool(pool);
      const ledger = postgresConsentLedger({ pool: wrapped, table: t });
      await append(ledger, 'rt', 0);
      expect(calls.splice(0)).toEqual(['SELECT', 'WITH']);
      await append(ledger, 'rt', 1);
      expect(calls.splice(0)).toEqual(['SELECT', 'WITH']);
      await ledger.head('rt');
      await ledger.list('rt');
      await ledger.redact('rt', 5);
      expect(calls.splice(0)).toEqual(['SELECT', 'SELECT', 'UPDATE']);
    });

    it('concurrent appends from separate instances keep one valid chain', async () => {
      const pools = Array.from({ length: 4 }, () => pgPool(undefined, { max: 3 }));
      const ledgers = pools.map((p) => postgresConsentLedger({ pool: p, table: t }));
      const written = await Promise.all(
        Array.from({ length: 40 }, (_, i) => append(ledgers[i % 4]!, 'hot', i)),
      );
      expect(new Set(written.map((e) => e.seq)).size).toBe(40);
      const { entries } = await ledgers[0]!.list('hot');
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      for (const [i, e] of entries.entries()) if (i > 0) expect(e.prev).toBe(entries[i - 1]!.hash);
      await Promise.all(pools.map((p) => p.end()));
    });

    it('refuses to append to a chain altered behind its back, and refuses NUL clearly', async () => {
      const ledger = postgresConsentLedger({ pool, table: t });
      await append(ledger, 'pk', 0);
      await append(ledger, 'pk', 1);
      const raw = await rawSession();
      await raw.query(`DELETE FROM "${t}" WHERE phone_key = 'pk' AND seq = 2`);
      await raw.end();
      await expect(append(ledger, 'pk', 2)).rejects.toThrow(/altered outside the library/);
      await expect(
        ledger.append('nul', (head) => {
          const write = chainEntry(key, 'nul', head, { ...draft(0), text: 'a\u0000b' });
          return { result: 0, write };
        }),
      ).rejects.toThrow(RangeError);
    });

    it('refuses misconfiguration at construction', () => {
      expect(() => postgresConsentLedger({ pool, table: 'Bad Name' })).toThrow(/table name/);
      expect(() => postgresConsentLedger({} as never)).toThrow(/pg Pool/);
    });
  });
});
