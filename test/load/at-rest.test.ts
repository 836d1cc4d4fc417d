/**
 * At rest: after a run of every operation on private Redis and PostgreSQL servers and on a
 * SQLite file, scan every Redis key and value, every row of every table, and every byte of
 * the SQLite files (database, WAL, shared memory): no phone number (in any format) and no
 * code appears in plaintext.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parsePhoneNumber } from 'libphonenumber-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresConsentLedger } from '../../adapters/postgres/ledger';
import { migrate } from '../../adapters/postgres/migrate';
import { postgresStore } from '../../adapters/postgres/store';
import { redisStore } from '../../adapters/redis/store';
import { sqliteConsentLedger } from '../../adapters/sqlite/ledger';
import { migrate as migrateSqlite } from '../../adapters/sqlite/migrate';
import { sqliteStore } from '../../adapters/sqlite/store';
import { openDatabase, type TestDatabase, tempDir } from '../../adapters/sqlite/testing';
import { consent } from '../../src/consent/index';
import { createVerifier } from '../../src/index';
import type { ConsentLedger } from '../../src/ports/consent-ledger';
import type { Store } from '../../src/ports/store';
import { outboxSender } from '../../src/senders/outbox';
import { binariesAvailable, type PrivateServer, startPostgres, startRedis } from './servers';
import { pgPool, redisClient } from './services';

const secret = 'at-rest-secret-at-rest-secret-at-rest!';
const phones = ['+12133734253', '+447911123456', '+33612345678'];

/** Every way a number is commonly written. */
function formats(e164: string): string[] {
  const p = parsePhoneNumber(e164);
  const national = p.formatNational();
  const intl = p.formatInternational();
  return [
    e164,
    e164.slice(1),
    `00${e164.slice(1)}`,
    p.nationalNumber,
    national,
    national.replace(/\D/g, ''),
    intl,
    intl.replaceAll(' ', '-'),
    intl.replaceAll(' ', '.'),
  ];
}

/** Runs every operation (and a lockout) for each phone; returns every code sent. */
async function exercise(store: Store, ledger?: ConsentLedger): Promise<string[]> {
  const outbox = outboxSender();
  const v = createVerifier({
    secret,
    store,
    sender: outbox,
    policy: { resendCooldownMs: 0, maxResendCooldownMs: 0, maxChecks: 2 },
    ...(ledger ? { consent: consent({ ledger }) } : {}),
  });
  for (const phone of phones) {
    if (ledger) {
      const ctx = { context: { ip: '192.0.2.1', userAgent: 'test' } };
      const given = { text: 'I agree to receive codes.', version: 1, ...ctx };
      expect((await v.consent.record({ phone, ...given })).isOk()).toBe(true);
      expect((await v.consent.inbound({ from: phone, text: 'STOP' })).isOk()).toBe(true);
      expect((await v.consent.inbound({ from: phone, text: ' start! ' })).isOk()).toBe(true);
      expect((await v.consent.history({ phone }))._unsafeUnwrap().entries.length).toBe(3);
    }
    const a = (await v.start({ phone }))._unsafeUnwrap();
    await v.check({ id: a.id, code: '999999' });
    await v.resend({ id: a.id });
    await v.resend({ id: a.id, channel: 'voice' });
    await v.check({ id: a.id, code: outbox.last(phone)!.code });
    await v.check({ phone, code: '000001', purpose: 'verify' });
    const b = (await v.start({ phone, purpose: 'login', channel: 'voice' }))._unsafeUnwrap();
    await v.status({ id: b.id });
    await v.cancel({ id: b.id });
    // Failed verifications until the phone locks.
    for (let i = 0; i < 3; i += 1) {
      const c = await v.start({ phone, purpose: `fail${i}` });
      if (c.isErr()) break;
      await v.check({ id: c.value.id, code: '999998' });
      await v.check({ id: c.value.id, code: '999997' });
    }
    const pending = await v.start({ phone, purpose: 'pending' });
    expect(pending.isErr()).toBe(true); // locked by now
  }
  return outbox.messages.map((m) => m.code);
}

/** Needles found in any haystack, each reported with where. */
function leaks(haystacks: Array<[where: string, text: string]>, codes: string[]): string[] {
  const found: string[] = [];
  for (const [where, text] of haystacks) {
    for (const phone of phones) {
      for (const f of formats(phone)) if (text.includes(f)) found.push(`${where}: number ${f}`);
    }
    for (const code of codes) {
      if (new RegExp(`(?<![0-9])${code}(?![0-9])`).test(text)) found.push(`${where}: code ${code}`);
    }
  }
  return found;
}

async function scanRedis(url: string): Promise<Array<[string, string]>> {
  const client = redisClient(url);
  const out: Array<[string, string]> = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await client.type(key);
      const value = type === 'string' ? await client.get(key) : `<unexpected ${type}>`;
      out.push([`redis key ${key}`, key], [`redis value of ${key}`, value ?? '']);
    }
  } while (cursor !== '0');
  client.disconnect();
  return out;
}

async function scanPostgres(pool: pg.Pool): Promise<Array<[string, string]>> {
  const tables = await pool.query(
    `SELECT table_schema, table_name FROM information_schema.tables
     WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`,
  );
  const out: Array<[string, string]> = [];
  for (const { table_schema, table_name } of tables.rows) {
    const rows = await pool.query(`SELECT * FROM "${table_schema}"."${table_name}"`);
    for (const [i, row] of rows.rows.entries()) {
      for (const [col, value] of Object.entries(row as Record<string, unknown>)) {
        const text = Buffer.isBuffer(value)
          ? value.toString('utf8')
          : value instanceof Date
            ? value.toISOString()
            : typeof value === 'string'
              ? value
              : JSON.stringify(value);
        out.push([`${table_name} row ${i} column ${col}`, text]);
      }
    }
  }
  return out;
}

/** The scan must see what a careless store would write: a control record is found. */
async function controlIsFound(store: Store, scan: () => Promise<Array<[string, string]>>) {
  const control = JSON.stringify({ phone: phones[0], code: '424242' });
  await store.update('control', () => ({ result: 0, write: { value: control, ttlMs: 60_000 } }));
  const found = leaks(await scan(), ['424242']);
  await store.update('control', () => ({ result: 0, write: { delete: true } }));
  return found.length >= 2;
}

describe.skipIf(!binariesAvailable('redis'))('at rest on Redis', () => {
  let server: PrivateServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server?.dispose());

  it('no number in any format and no code in any key or value', async () => {
    const client = redisClient(server.url);
    const store = redisStore({ client });
    expect(await controlIsFound(store, () => scanRedis(server.url))).toBe(true);
    const codes = await exercise(store);
    expect(codes.length).toBeGreaterThan(10);
    const scanned = await scanRedis(server.url);
    expect(scanned.length).toBeGreaterThanOrEqual(2 * phones.length);
    expect(leaks(scanned, codes)).toEqual([]);
    client.disconnect();
  });
});

describe.skipIf(!binariesAvailable('postgres'))('at rest on PostgreSQL', () => {
  let server: PrivateServer;
  let pool: pg.Pool;
  beforeAll(async () => {
    server = await startPostgres();
    pool = pgPool(server.url);
    await migrate(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await server?.dispose();
  });

  it('no number in any format and no code in any row of any table (store and consent ledger)', async () => {
    const store = postgresStore({ pool });
    expect(await controlIsFound(store, () => scanPostgres(pool))).toBe(true);
    const codes = await exercise(store, postgresConsentLedger({ pool }));
    const scanned = await scanPostgres(pool);
    expect(scanned.some(([where]) => where.startsWith('phoneproof_consent row'))).toBe(true);
    expect(scanned.length).toBeGreaterThanOrEqual(4 * phones.length);
    expect(leaks(scanned, codes)).toEqual([]);
  });
});

/** Every row of every table, and the raw bytes of the database, WAL and shm files. */
function scanSqlite(db: TestDatabase, path: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as Array<{ name: string }>;
  for (const { name } of tables) {
    const rows = db.prepare(`SELECT * FROM "${name}"`).all() as Array<Record<string, unknown>>;
    for (const [i, row] of rows.entries()) {
      for (const [col, value] of Object.entries(row)) {
        const text =
          value instanceof Uint8Array
            ? Buffer.from(value).toString('utf8')
            : typeof value === 'string'
              ? value
              : JSON.stringify(typeof value === 'bigint' ? String(value) : value);
        out.push([`${name} row ${i} column ${col}`, text]);
      }
    }
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) out.push([`file ${file}`, readFileSync(file).toString('latin1')]);
  }
  return out;
}

describe('at rest on SQLite', () => {
  const dir = tempDir('phoneproof-at-rest-');
  const path = dir.file('at-rest.sqlite');
  let db: TestDatabase;
  beforeAll(() => {
    db = openDatabase(path);
    migrateSqlite(db);
  });
  afterAll(() => {
    db?.close();
    dir.remove();
  });

  it('no number in any format and no code in any row, nor in the files (store and consent ledger)', async () => {
    // The control on a file of its own: a deleted row's bytes stay in the WAL for a while.
    const controlPath = dir.file('control.sqlite');
    const control = openDatabase(controlPath);
    migrateSqlite(control);
    const scanControl = async () => scanSqlite(control, controlPath);
    expect(await controlIsFound(sqliteStore({ database: control }), scanControl)).toBe(true);
    control.close();
    const store = sqliteStore({ database: db });
    const codes = await exercise(store, sqliteConsentLedger({ database: db }));
    const scanned = scanSqlite(db, path);
    expect(scanned.some(([where]) => where.startsWith('phoneproof_consent row'))).toBe(true);
    expect(scanned.some(([where]) => where.endsWith('-wal'))).toBe(true);
    expect(scanned.length).toBeGreaterThanOrEqual(4 * phones.length);
    expect(leaks(scanned, codes)).toEqual([]);
  });
});
