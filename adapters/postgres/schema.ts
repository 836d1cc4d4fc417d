/**
 * The store table's schema: its migrations, the default table names, and the shape of a
 * migration step that `migrate` runs (shared with the ledger's tables, ./ledger-schema.ts).
 * @internal
 * @module
 */
import type { TableName } from './pool';

/** One schema step; `id` is recorded in `phoneproof_migrations` once applied. */
export interface Migration {
  readonly id: string;
  readonly statements: readonly string[];
}

export const DEFAULT_TABLE = 'phoneproof_records';
export const DEFAULT_LEDGER_TABLE = 'phoneproof_consent';

/** The store table's migrations, in order. New steps are appended, never edited. */
export function storeMigrations(t: TableName): Migration[] {
  return [
    {
      id: `store:${t.schema ? `${t.schema}.` : ''}${t.bare}:1`,
      statements: [
        ...(t.schema ? [`CREATE SCHEMA IF NOT EXISTS "${t.schema}"`] : []),
        // Versions come from a sequence, so a deleted and re-created record never reuses one.
        `CREATE SEQUENCE IF NOT EXISTS ${t.derived('_version_seq')}`,
        `CREATE TABLE IF NOT EXISTS ${t.sql} (
          key text PRIMARY KEY,
          value bytea NOT NULL,
          version bigint NOT NULL,
          expires_at timestamptz NOT NULL
        )`,
        `CREATE INDEX IF NOT EXISTS ${t.local('_expires_at_idx')} ON ${t.sql} (expires_at)`,
      ],
    },
  ];
}
