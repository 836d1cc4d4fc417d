import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chainEntry, chainKey, checkChain } from '../../src/consent/chain';
import { consentLedgerContract } from '../../test/contract/consent-ledger';
import { sqliteConsentLedger } from './ledger';
import { migrate } from './migrate';
import { openDatabase, SQLITE_DRIVER, type TestDatabase, tempDir } from './testing';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** Empties the ledger tables: anchors first, so the append-only trigger lets entries go. */
const clear = (db: TestDatabase, t = 'phoneproof_consent'): void => {
  db.exec(`DELETE FROM "${t}_heads"; DELETE FROM "${t}_personal"; DELETE FROM "${t}";`);
};

/**
 * Runs `sql` as someone with write access to the file would: dropping the triggers, writing,
 * and putting them back, in one transaction.
 */
function bypassingTriggers(db: TestDatabase, sql: string, ...params: unknown[]): number {
  const triggers = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    .all() as Array<{ name: string; sql: string }>;
  db.exec('BEGIN IMMEDIATE');
  for (const t of triggers) db.exec(`DROP TRIGGER "${t.name}"`);
  const r = db.prepare(sql).run(...params) as { changes: number | bigint };
  for (const t of triggers) db.exec(t.sql);
  db.exec('COMMIT');
  return Number(r.changes);
}

consentLedgerContract(`sqlite (${SQLITE_DRIVER})`, async () => {
  const db = openDatabase(tmp.file('contract.sqlite'));
  migrate(db);
  const cols: Record<string, string> = { text: 'text', at: 'at', kind: 'kind', version: 'version' };
  return {
    ledger: sqliteConsentLedger({ database: db }),
    reset: async () => clear(db),
    close: async () => db.close(),
    tamper: {
      async edit(pk, seq, patch) {
        for (const [field, value] of Object.entries(patch)) {
          const [table, col] =
            field === 'ip'
              ? ['phoneproof_consent_personal', 'ip']
              : ['phoneproof_consent', cols[field]!];
          const n = bypassingTriggers(
            db,
            `UPDATE "${table}" SET ${col} = ? WHERE phone_key = ? AND seq = ?`,
            value,
            pk,
            seq,
          );
          if (n !== 1) throw new Error(`tamper: no row ${pk}/${seq} in ${table}`);
        }
      },
      async remove(pk, seq) {
        bypassingTriggers(
          db,
          'DELETE FROM phoneproof_consent WHERE phone_key = ? AND seq = ?',
          pk,
          seq,
        );
      },
    },
  };
});

describe('sqliteConsentLedger: append-only in the database', () => {
  const key = chainKey(Buffer.alloc(32, 9));
  const path = tmp.file('ledger.sqlite');
  let db: TestDatabase;
  beforeAll(() => {
    db = openDatabase(path);
    migrate(db);
  });
  beforeEach(() => clear(db));
  afterAll(() => db.close());
  const draft = (i: number) => ({
    kind: 'opted_in' as const,
    at: 1_893_456_000_000 + i,
    source: 'web_form',
    text: 'I agree.',
    version: '1',
    ip: '192.0.2.1',
    salt: `salt${i}`,
  });
  const append = (ledger: ReturnType<typeof sqliteConsentLedger>, pk: string, i: number) =>
    ledger.append(pk, (head) => {
      const write = chainEntry(key, pk, head, draft(i));
      return { result: write.entry, write };
    });
  const count = (t: string) =>
    Number((db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n);

  it('a trigger refuses a direct UPDATE or DELETE of entries, even of all rows', async () => {
    const ledger = sqliteConsentLedger({ database: db });
    await append(ledger, 'pk', 0);
    await append(ledger, 'pk', 1);
    expect(() => db.exec(`UPDATE phoneproof_consent SET text = 'I agree to everything.'`)).toThrow(
      /append-only: UPDATE refused/,
    );
    expect(() => db.exec('DELETE FROM phoneproof_consent WHERE seq = 2')).toThrow(
      /append-only: DELETE refused/,
    );
    expect(() => db.exec('DELETE FROM phoneproof_consent')).toThrow(/append-only: DELETE refused/);
    expect(() => db.exec('UPDATE phoneproof_consent SET seq = seq + 10')).toThrow(/append-only/);
    expect((await ledger.list('pk')).entries.map((e) => e.text)).toEqual(['I agree.', 'I agree.']);
  });

  it('a trigger lets personal fields only be erased, never rewritten', async () => {
    const ledger = sqliteConsentLedger({ database: db });
    await append(ledger, 'pk', 0);
    expect(() => db.exec(`UPDATE phoneproof_consent_personal SET ip = '198.51.100.7'`)).toThrow(
      /can only be erased/,
    );
    expect(() => db.exec(`UPDATE phoneproof_consent_personal SET seq = 7, ip = NULL`)).toThrow(
      /can only be erased/,
    );
    expect(await ledger.redact('pk', 1)).toBe(1);
    expect(await ledger.redact('pk', 2)).toBe(0);
    const [entry] = (await ledger.list('pk')).entries;
    expect(entry).not.toHaveProperty('ip');
    expect(entry?.redactedAt).toBe(1);
    expect(checkChain(key, 'pk', await ledger.list('pk')).valid).toBe(true);
  });

  it('redact and purge leave no erased bytes in the database or WAL files', async () => {
    const bytes = () =>
      [path, `${path}-wal`]
        .filter((f) => existsSync(f))
        .map((f) => readFileSync(f).toString('latin1'))
        .join('');
    const ledger = sqliteConsentLedger({ database: db });
    const erased = { ip: '198.51.100.77', userAgent: 'EraseMe/9.9', salt: 'c2FsdC1lcmFzZS1tZQ' };
    for (const pk of ['gone', 'purged']) {
      await ledger.append(pk, (head) => {
        const write = chainEntry(key, pk, head, { ...draft(0), ...erased, text: `${pk} text` });
        return { result: 0, write };
      });
    }
    expect(bytes()).toContain('EraseMe/9.9'); // the scan sees what is there
    expect(await ledger.redact('gone', 5)).toBe(1);
    expect(await ledger.purge('purged', 1)).toBe(true);
    const left = bytes();
    for (const s of [...Object.values(erased), 'purged text']) expect(left).not.toContain(s);
    expect(left).toContain('gone text'); // redaction keeps the entry
  });

  it('purge is the only way entries leave, and only for the current head', async () => {
    const ledger = sqliteConsentLedger({ database: db });
    await append(ledger, 'pk', 0);
    await append(ledger, 'pk', 1);
    await append(ledger, 'other', 0);
    expect(await ledger.purge('pk', 1)).toBe(false);
    expect(count('phoneproof_consent')).toBe(3);
    expect(await ledger.purge('pk', 2)).toBe(true);
    expect(count('phoneproof_consent')).toBe(1);
    expect(count('phoneproof_consent_personal')).toBe(1);
    expect((await ledger.list('other')).entries).toHaveLength(1);
  });

  it('the library has no update or delete of a single entry: its API is append, redact, purge', () => {
    const ledger = sqliteConsentLedger({ database: db });
    expect(Object.keys(ledger).sort()).toEqual(['append', 'head', 'list', 'purge', 'redact']);
  });

  it('refuses to append to a chain altered behind its back', async () => {
    const ledger = sqliteConsentLedger({ database: db });
    await append(ledger, 'pk', 0);
    await append(ledger, 'pk', 1);
    bypassingTriggers(db, "DELETE FROM phoneproof_consent WHERE phone_key = 'pk' AND seq = 2");
    await expect(append(ledger, 'pk', 2)).rejects.toThrow(/altered outside the library/);
  });

  it('survives closing and reopening the file (a restart): the chain still verifies', async () => {
    await append(sqliteConsentLedger({ database: db }), 'restart', 0);
    const again = openDatabase(path);
    const ledger = sqliteConsentLedger({ database: again });
    await append(ledger, 'restart', 1);
    expect(checkChain(key, 'restart', await ledger.list('restart'))).toMatchObject({
      valid: true,
      length: 2,
    });
    again.close();
  });

  it('concurrent appends from 4 processes on one file keep one valid chain', async () => {
    const worker = fileURLToPath(new URL('./ledger-worker.ts', import.meta.url));
    const children = Array.from({ length: 4 }, (_, w) =>
      fork(worker, [path, String(w), '25'], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const codes = await Promise.all(
      children.map((c) => new Promise<number | null>((resolve) => c.once('exit', resolve))),
    );
    expect(codes).toEqual([0, 0, 0, 0]);
    const chain = await sqliteConsentLedger({ database: db }).list('hot');
    expect(chain.entries.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(new Set(chain.entries.map((e) => e.at)).size).toBe(100);
    expect(checkChain(key, 'hot', chain)).toMatchObject({ valid: true, length: 100 });
  });

  it('refuses misconfiguration at construction', () => {
    expect(() => sqliteConsentLedger({ database: db, table: 'Bad Name' })).toThrow(/table name/);
    expect(() => sqliteConsentLedger({} as never)).toThrow(/SQLite handle/);
  });
});
