/**
 * The peers bench's surroundings: service URLs, cleanup of the keys it owns, and the exact
 * versions of everything measured.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import pg from 'pg';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Every Redis key the bench writes starts with this. */
export const REDIS_KEY_PREFIX = 'bench-peers-';

/** Deletes every Redis key the bench owns (left by an earlier run). */
export async function clearRedisKeys(redis: Redis): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_KEY_PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) n += await redis.del(...keys);
  } while (cursor !== '0');
  return n;
}

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  // Packages whose exports hide package.json: read it beside the resolved entry's package root.
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    const entry = require.resolve(name);
    const root = entry.slice(0, entry.lastIndexOf(`/node_modules/${name}/`) + 14 + name.length);
    return (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version: string })
      .version;
  }
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Exact versions of the code, the peers and the services measured. */
export async function versions(redis: Redis): Promise<Record<string, string>> {
  const info = await redis.info('server');
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  const { rows } = await client.query<{ v: string }>(
    "SELECT current_setting('server_version') AS v",
  );
  await client.end();
  // The repository's package.json, from git (this file may run from a compiled copy).
  const root = JSON.parse(
    readFileSync(`${git('rev-parse', '--show-toplevel')}/package.json`, 'utf8'),
  ) as { version: string };
  const dirty = git('status', '--porcelain', '--', 'src', 'adapters') === '' ? '' : ' (+ changes)';
  return {
    phoneproof: `${root.version} @ ${git('rev-parse', '--short', 'HEAD')}${dirty}`,
    'better-auth': packageVersion('better-auth'),
    'better-sqlite3': packageVersion('better-sqlite3'),
    'rate-limiter-flexible': packageVersion('rate-limiter-flexible'),
    pg: packageVersion('pg'),
    ioredis: packageVersion('ioredis'),
    node: process.version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    postgresql: rows[0]?.v ?? 'unknown',
    machine: `${process.platform} ${process.arch}, ${(await import('node:os')).cpus().length} CPUs`,
  };
}
