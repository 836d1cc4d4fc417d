/**
 * Helpers for the SQLite adapter's tests: open a database with the driver this runtime has.
 * `node:sqlite` when the runtime has it (Node 22.5+), else `better-sqlite3` (Node 20);
 * `PHONEPROOF_SQLITE_DRIVER=better-sqlite3` or `=node:sqlite` forces one.
 * @internal test helper, not part of the package entry
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqliteDatabaseLike } from './database';

export interface TestDatabase extends SqliteDatabaseLike {
  close(): void;
}

type Ctor = new (path: string) => TestDatabase;

function nodeSqlite(): Ctor | undefined {
  try {
    const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    return (get?.('node:sqlite') as { DatabaseSync?: Ctor } | undefined)?.DatabaseSync;
  } catch {
    return undefined;
  }
}

/** The driver used: `node:sqlite` or `better-sqlite3`. */
export const SQLITE_DRIVER: 'node:sqlite' | 'better-sqlite3' =
  process.env.PHONEPROOF_SQLITE_DRIVER === 'better-sqlite3' || !nodeSqlite()
    ? 'better-sqlite3'
    : 'node:sqlite';

/** Opens (creating it if missing) the database at `path` with `SQLITE_DRIVER`. */
export function openDatabase(path: string): TestDatabase {
  const Db =
    SQLITE_DRIVER === 'node:sqlite'
      ? nodeSqlite()!
      : (createRequire(import.meta.url)('better-sqlite3') as Ctor);
  return new Db(path);
}

/** A fresh temporary directory for database files, and its removal. */
export function tempDir(label = 'phoneproof-sqlite-'): {
  dir: string;
  file(name: string): string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), label));
  return {
    dir,
    file: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
