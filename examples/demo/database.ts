/**
 * Opens the demo's SQLite file with the driver this runtime has: the built-in `node:sqlite`
 * (Node 22.5+; also what Deno provides), else `better-sqlite3` (Node 20: `npm i
 * better-sqlite3@12`). On Bun, use `new Database(path)` from `bun:sqlite` instead. phoneproof
 * itself imports none of them: `sqliteStore` takes whichever handle you open.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { SqliteDatabaseLike } from '../../adapters/sqlite/index';

export interface DemoDatabase extends SqliteDatabaseLike {
  close(): void;
}

type Driver = new (path: string) => DemoDatabase;

function builtIn(): Driver | undefined {
  try {
    const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    return (get?.('node:sqlite') as { DatabaseSync?: Driver } | undefined)?.DatabaseSync;
  } catch {
    return undefined; // Node 22 before 22.13 without --experimental-sqlite
  }
}

/** Opens `path` (`:memory:` for none), creating its folder if missing. */
export function openDatabase(path: string): DemoDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const Driver = builtIn() ?? (createRequire(import.meta.url)('better-sqlite3') as Driver);
  return new Driver(path);
}
