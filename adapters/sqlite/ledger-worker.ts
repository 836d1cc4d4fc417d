/**
 * A worker process for the multi-process ledger test (`ledger.test.ts`): opens the shared
 * file with its own handle and appends `count` entries to phone `hot` as fast as it can.
 * Run as `node --import tsx adapters/sqlite/ledger-worker.ts <path> <worker> <count>`.
 * @internal test helper
 */
import { chainEntry, chainKey } from '../../src/consent/chain';
import { sqliteConsentLedger } from './ledger';
import { openDatabase } from './testing';

const [path, worker, count] = process.argv.slice(2) as [string, string, string];
const key = chainKey(Buffer.alloc(32, 9));
const db = openDatabase(path);
const ledger = sqliteConsentLedger({ database: db, busyTimeoutMs: 30_000 });
await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    ledger.append('hot', (head) => {
      const write = chainEntry(key, 'hot', head, {
        kind: 'opted_in',
        at: 1_893_456_000_000 + Number(worker) * 1000 + i,
        source: 'web_form',
        text: 'I agree.',
        version: '1',
      });
      return { result: 0, write };
    }),
  ),
);
db.close();
process.exit(0);
