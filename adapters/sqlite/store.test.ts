import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { abuseContract } from '../../test/abuse/contract';
import { storeContract } from '../../test/contract/store';
import { verifierContract } from '../../test/contract/verifier';
import { migrate } from './migrate';
import { sqliteStore } from './store';
import { openDatabase, SQLITE_DRIVER, type TestDatabase, tempDir } from './testing';

const tmp = tempDir();
afterAll(() => tmp.remove());
let n = 0;

/** A migrated database file of its own, with one handle on it. */
function fresh(label: string): { db: TestDatabase; path: string } {
  n += 1;
  const path = tmp.file(`${label}-${n}.sqlite`);
  const db = openDatabase(path);
  migrate(db);
  return { db, path };
}

const harness = async (label: string) => {
  const { db } = fresh(label);
  return {
    store: sqliteStore({ database: db }),
    wait: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
    reset: async () => {
      db.exec('DELETE FROM phoneproof_records');
    },
    close: async () => db.close(),
  };
};

storeContract(`sqlite (${SQLITE_DRIVER})`, () => harness('contract'));

/** Two handles on one file, as two processes would have: every other call on the other. */
storeContract(`sqlite, two handles on one file (${SQLITE_DRIVER})`, async () => {
  const { db, path } = fresh('two');
  const other = openDatabase(path);
  const a = sqliteStore({ database: db });
  const b = sqliteStore({ database: other });
  let i = 0;
  const pick = () => {
    i += 1;
    return i % 2 === 0 ? a : b;
  };
  return {
    store: {
      update: (k, fn) => pick().update(k, fn),
      updateMany: (ks, fn) => pick().updateMany(ks, fn),
      get: (k) => pick().get(k),
    },
    wait: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
    reset: async () => {
      db.exec('DELETE FROM phoneproof_records');
    },
    close: async () => {
      other.close();
      db.close();
    },
  };
});

verifierContract(`sqlite (${SQLITE_DRIVER})`, () =>
  sqliteStore({ database: fresh('verifier').db }),
);

let clock = 1_700_000_000_000;
abuseContract(`sqlite (${SQLITE_DRIVER})`, async () => {
  const { db } = fresh('abuse');
  return {
    store: sqliteStore({ database: db, now: () => clock }),
    wait: async (ms) => {
      clock += ms;
    },
    reset: async () => {
      db.exec('DELETE FROM phoneproof_records');
    },
    close: async () => db.close(),
  };
});

describe('sqliteStore', () => {
  let db: TestDatabase;
  beforeAll(() => {
    db = fresh('unit').db;
  });
  afterAll(() => db.close());
  const count = () =>
    Number((db.prepare('SELECT count(*) AS n FROM phoneproof_records').get() as { n: number }).n);

  it('stores values as UTF-8 BLOBs with an expiry in epoch ms, nothing else', async () => {
    let t = 1_000_000;
    const store = sqliteStore({ database: db, now: () => t, sweepEvery: 0 });
    await store.update('k', () => ({ result: 0, write: { value: 'é☎', ttlMs: 250 } }));
    const row = db.prepare('SELECT * FROM phoneproof_records WHERE key = ?').get('k') as Record<
      string,
      unknown
    >;
    expect(Object.keys(row).sort()).toEqual(['expires_at', 'key', 'value']);
    expect(Buffer.from(row.value as Uint8Array).toString('utf8')).toBe('é☎');
    expect(Number(row.expires_at)).toBe(1_000_250);
    t += 250;
    expect(await store.get('k')).toBeUndefined();
    expect(await store.update('k', (cur) => ({ result: cur }))).toBeUndefined();
    expect(count()).toBe(1); // invisible at once, deleted by a sweep
    expect(await store.sweep()).toBe(1);
    expect(count()).toBe(0);
  });

  it('sweeps by itself every `sweepEvery` writes, at most `sweepLimit` rows each', async () => {
    let t = 5_000_000;
    const store = sqliteStore({ database: db, now: () => t, sweepEvery: 10, sweepLimit: 4 });
    for (let i = 0; i < 9; i += 1) {
      await store.update(`old${i}`, () => ({ result: 0, write: { value: 'x', ttlMs: 10 } }));
    }
    t += 100;
    expect(count()).toBe(9);
    await store.update('new', () => ({ result: 0, write: { value: 'y', ttlMs: 60_000 } }));
    expect(count()).toBe(10 - 4);
    expect(await store.sweep(100)).toBe(5);
    expect(count()).toBe(1);
    await store.update('new', () => ({ result: 0, write: { delete: true } }));
  });

  it('refuses a bad TTL and writes nothing', async () => {
    const store = sqliteStore({ database: db });
    await expect(
      store.update('bad', () => ({ result: 0, write: { value: 'x', ttlMs: 0 } })),
    ).rejects.toThrow(RangeError);
    expect(await store.get('bad')).toBeUndefined();
  });

  it('rejects, saying to run migrate, when the table is missing', async () => {
    const store = sqliteStore({ database: db, table: 'not_migrated' });
    await expect(store.get('k')).rejects.toThrow(/run migrate\(database\)/);
    await expect(store.update('k', () => ({ result: 0 }))).rejects.toThrow(/run migrate/);
    const v = createVerifier({ secret: 'x'.repeat(40), store, sender: outboxSender() });
    const e = (await v.start({ phone: '+12133734253' }))._unsafeUnwrapErr();
    expect(e.code).toBe('store_unavailable');
    expect(e.message).toMatch(/not set up.*not_migrated.*run migrate\(database\)/);
  });

  it('rejects when another process holds the write lock past busy_timeout; nothing written', async () => {
    const path = tmp.file('busy.sqlite');
    const a = openDatabase(path);
    migrate(a);
    const b = openDatabase(path);
    const store = sqliteStore({ database: b, busyTimeoutMs: 50 });
    a.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    await expect(
      store.update('k', () => ({ result: 0, write: { value: 'x', ttlMs: 60_000 } })),
    ).rejects.toThrow(/locked|busy/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    a.exec('ROLLBACK');
    expect(await store.get('k')).toBeUndefined();
    await store.update('k', () => ({ result: 0, write: { value: 'x', ttlMs: 60_000 } }));
    expect(await store.get('k')).toBe('x');
    b.close();
    a.close();
  });

  it('migrate is idempotent, switches the file to WAL and sets a busy timeout', () => {
    const path = tmp.file('migrate.sqlite');
    const a = openDatabase(path);
    const first = migrate(a, { table: 'custom_records', ledgerTable: 'custom_consent' });
    expect(first.journalMode).toBe('wal');
    expect(first.applied).toEqual([
      'store:custom_records:1',
      'ledger:custom_consent:1',
      'ledger:custom_consent:2',
      'ledger:custom_consent:3',
    ]);
    expect(migrate(a, { table: 'custom_records', ledgerTable: 'custom_consent' }).applied).toEqual(
      [],
    );
    const b = openDatabase(path);
    expect(Object.values(b.prepare('PRAGMA journal_mode').get() as object)[0]).toBe('wal');
    sqliteStore({ database: b, table: 'custom_records' });
    expect(Number(Object.values(b.prepare('PRAGMA busy_timeout').get() as object)[0])).toBe(5000);
    sqliteStore({ database: b, table: 'custom_records', busyTimeoutMs: 200 });
    expect(Number(Object.values(b.prepare('PRAGMA busy_timeout').get() as object)[0])).toBe(200);
    b.close();
    a.close();
  });

  it('refuses misconfiguration at construction', () => {
    expect(() => sqliteStore({} as never)).toThrow(/SQLite handle/);
    expect(() => sqliteStore(undefined as never)).toThrow(/options object/);
    expect(() => sqliteStore({ database: db, table: 'Bad Name' })).toThrow(/table name/);
    expect(() => sqliteStore({ database: db, table: 'x"; DROP TABLE y; --' })).toThrow(/table/);
    expect(() => sqliteStore({ database: db, sweepEvery: -1 })).toThrow(/sweepEvery/);
    expect(() => sqliteStore({ database: db, busyTimeoutMs: 1.5 })).toThrow(/busyTimeoutMs/);
    expect(() => migrate({} as never)).toThrow(/SQLite handle/);
    expect(() => migrate(db, { ledgerTable: 'sqlite_master' })).toThrow(/table name/);
  });
});
