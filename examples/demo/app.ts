/**
 * The demo app behind `npm start`: an Express server with a SQLite store and consent ledger
 * (in `.data/demo.sqlite`, git-ignored: restarting the demo keeps pending verifications and
 * consent records), a console sender (codes are printed to the terminal), consent required,
 * the verification router under `/api`, and a static page (no build step) under `/`.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { verificationRouter } from '../../adapters/express/index';
import { migrate, sqliteConsentLedger, sqliteStore } from '../../adapters/sqlite/index';
import { consent } from '../../src/consent/index';
import { consoleSender, createVerifier, type Sender } from '../../src/index';
import { openDatabase } from './database';

/** Where `npm start` keeps its records (the folder is git-ignored and created if missing). */
export const DEMO_DATABASE = fileURLToPath(new URL('../../.data/demo.sqlite', import.meta.url));

/** The consent the page shows and the server requires (bump the version when it changes). */
export const CONSENT = {
  version: 1,
  text: 'I agree to receive a one-time verification code by SMS or voice call from the phoneproof demo. Message and data rates may apply.',
} as const;

export interface DemoOptions {
  /** TCP port (default 3000; 0 picks a free one). */
  readonly port?: number;
  /** Interface (default 127.0.0.1). */
  readonly host?: string;
  /** Where messages go (default: printed to the terminal). */
  readonly sender?: Sender;
  readonly secret?: string;
  /** SQLite file for the store and the consent ledger (default `DEMO_DATABASE`; `:memory:`). */
  readonly database?: string;
}

export interface Demo {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const database = openDatabase(options.database ?? DEMO_DATABASE);
  migrate(database); // idempotent: creates the tables once, sets WAL mode
  const verifier = createVerifier({
    // Records are sealed and keyed with this secret: keep it across restarts (a fixed
    // default here) or the stored verifications and consent chains no longer verify.
    secret:
      options.secret ?? process.env.PHONEPROOF_SECRET ?? 'demo-secret-demo-secret-demo-secret!',
    store: sqliteStore({ database }),
    sender: options.sender ?? consoleSender(),
    consent: consent({ ledger: sqliteConsentLedger({ database }), required: CONSENT }),
    defaultCountry: 'US',
    appName: 'phoneproof demo',
  });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.get('/api/consent', (_req, res) => {
    res.json(CONSENT);
  });
  app.use('/api', verificationRouter(verifier));
  app.use(express.static(new URL('./public', import.meta.url).pathname, { index: 'index.html' }));
  const server = app.listen(options.port ?? 3000, options.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address === '127.0.0.1' ? 'localhost' : address;
  return {
    url: `http://${host}:${port}/`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          database.close();
          resolve();
        });
      }),
  };
}
