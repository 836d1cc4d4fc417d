/**
 * phoneproof, imported from the repository's source, on its memory, Redis and PostgreSQL
 * stores with its default policy and defenses (abuse defenses, proof tokens). Each `pair` is
 * one `start` then one `check`, as a server calls them.
 * @module
 */
import type { Redis } from 'ioredis';
import pg from 'pg';
import { memoryStore } from '../../adapters/memory/index';
import { migrate, postgresStore } from '../../adapters/postgres/index';
import { redisStore } from '../../adapters/redis/index';
import { createVerifier, type Sender, type Store } from '../../src/index';
import type { PeerCandidate } from './better-auth';

export type PhoneproofStore = 'memory' | 'redis' | 'postgres';

/** The PostgreSQL schema the bench owns for phoneproof's tables (dropped on each run). */
export const PP_SCHEMA = 'bench_peers_phoneproof';

export interface PhoneproofSetup {
  readonly store: PhoneproofStore;
  readonly databaseUrl: string;
  readonly redis?: Redis;
  /** `false` turns the abuse defenses off (better-auth has none); default: phoneproof's defaults. */
  readonly abuse?: false;
}

let dropped = false;

export async function phoneproofCandidate(setup: PhoneproofSetup): Promise<PeerCandidate> {
  const cleanups: (() => Promise<void>)[] = [];
  const variant = setup.abuse === false ? 'noabuse' : 'default';
  let store: Store;
  if (setup.store === 'memory') {
    store = memoryStore();
  } else if (setup.store === 'redis') {
    if (!setup.redis) throw new Error('phoneproof on Redis needs a client');
    store = redisStore({ client: setup.redis, prefix: `bench-peers-pp-${variant}:` });
  } else {
    if (!dropped) {
      dropped = true;
      const admin = new pg.Client({ connectionString: setup.databaseUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${PP_SCHEMA} CASCADE`);
      // Forget the migration records of the dropped tables (their ids name the schema).
      await admin
        .query('DELETE FROM phoneproof_migrations WHERE id LIKE $1', [`%:${PP_SCHEMA}.%`])
        .catch(() => undefined);
      await admin.end();
    }
    const pool = new pg.Pool({ connectionString: setup.databaseUrl, max: 10 });
    cleanups.push(() => pool.end());
    const table = `${PP_SCHEMA}.records_${variant}`;
    await migrate(pool, { table, ledgerTable: `${PP_SCHEMA}.consent_${variant}` });
    store = postgresStore({ pool, table });
  }

  const codes = new Map<string, string>();
  const sender: Sender = {
    // As twilioSender with a status callback URL and vonageSender: reports carry the ref.
    reportsCarryRef: true,
    async send(m) {
      codes.set(m.to, m.code);
      return { ok: true, messageId: 'bench' };
    },
  };
  const verifier = createVerifier({
    // The bench's own throwaway secret.
    secret: 'bench-peers-phoneproof-secret-0123456789abcdef',
    store,
    sender,
    ...(setup.abuse === false ? { abuse: false as const } : {}),
  });

  return {
    name: `phoneproof (${setup.store}${setup.abuse === false ? ', abuse off' : ''})`,
    async pair(phone) {
      const started = await verifier.start({ phone });
      if (started.isErr()) throw new Error(`phoneproof start: ${started.error.code}`);
      const code = codes.get(phone);
      if (code === undefined) throw new Error('phoneproof: no code was sent');
      codes.delete(phone);
      const checked = await verifier.check({ id: started.value.id, code });
      if (checked.isErr()) throw new Error(`phoneproof check: ${checked.error.code}`);
    },
    async close() {
      for (const c of cleanups.reverse()) await c();
    },
  };
}
