/**
 * Attack: recover erased personal data from a SQLite file. A user gives consent over HTTP
 * (the router records their IP and user agent in the ledger); the app later erases it
 * (`verifier.consent.erase`, a GDPR request). Someone who then gets the database files (a
 * disk snapshot, a stolen backup taken after the erasure, a copy of the app's data folder)
 * reads their raw bytes: SQLite leaves deleted and overwritten cells in free space of the
 * pages, and the old page copies in the `-wal` file. The ledger zeroes erased bytes
 * (`secure_delete`) and checkpoints them out of the WAL, so nothing is left to find.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, sqliteConsentLedger, sqliteStore } from '../../adapters/sqlite/index';
import { openDatabase, tempDir } from '../../adapters/sqlite/testing';
import { consent } from '../../src/consent/index';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { PHONE, SECRET } from '../http/kit';
import { FRAMEWORKS } from './support';

const CONSENT = { version: 1, text: 'I agree to receive a code by SMS.' };
const dir = tempDir('phoneproof-adversary-');
afterAll(() => dir.remove());

/** What the attacker sees: every byte of the database and its WAL, as text. */
const rawBytes = (path: string) =>
  [path, `${path}-wal`]
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f).toString('latin1'))
    .join('\n');

describe.each(FRAMEWORKS)(
  '%s: erased consent data is gone from the SQLite files',
  (name, mount) => {
    it('the user agent given with consent cannot be read back from the files after erase', async () => {
      const path = dir.file(`${name}.sqlite`);
      const database = openDatabase(path);
      migrate(database);
      const verifier = createVerifier({
        secret: SECRET,
        store: sqliteStore({ database }),
        sender: outboxSender(),
        consent: consent({ ledger: sqliteConsentLedger({ database }), required: CONSENT }),
      });
      const server = await mount(verifier);
      const agent = `Victim-Browser/7.7 (${name}; unique-${Date.now()})`;
      try {
        const res = await fetch(`${server.base}/verifications`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': agent },
          body: JSON.stringify({ phone: PHONE, consent: { ...CONSENT, source: 'web_form' } }),
        });
        expect(res.status).toBe(201);
        // The scan finds it while it is there (the test can fail).
        expect(rawBytes(path)).toContain(agent);
        const erased = (await verifier.consent.erase({ phone: PHONE }))._unsafeUnwrap();
        expect(erased.redacted).toBe(1);
        const history = (await verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
        expect(history.entries).toHaveLength(1); // the consent itself is kept
        expect(history.verdict).toMatchObject({ valid: true });
        // The attacker's read of the files.
        expect(rawBytes(path)).not.toContain(agent);
        expect(rawBytes(path)).not.toContain('Victim-Browser');
      } finally {
        await server.close();
        database.close();
      }
    });
  },
);
