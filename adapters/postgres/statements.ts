/**
 * The SQL behind `postgresStore`: reads, the batched read and conditional write
 * (./batch.ts), the locked path and the sweep. @internal
 * @module
 */
import { batchStatements } from './batch';
import type { TableName } from './pool';

/** The store's SQL, for one table. */
export function statements(t: TableName) {
  const T = t.sql;
  const seq = t.derived('_version_seq').replaceAll('"', '');
  const expiry = `now() + $3::double precision * interval '1 millisecond'`;
  return {
    read: `SELECT value, version FROM ${T} WHERE key = $1 AND expires_at > now()`,
    // The locked path: a placeholder (expired) row for keys without one, then every row
    // (live or expired) is ours until COMMIT, locked in key order.
    placeholders: `INSERT INTO ${T} (key, value, version, expires_at)
      SELECT k, ''::bytea, nextval('${seq}'), '-infinity' FROM unnest($1::text[]) AS k ORDER BY k
      ON CONFLICT (key) DO NOTHING`,
    lockRows: `SELECT key, value, version, expires_at > now() AS live FROM ${T}
      WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE`,
    lockedUpdate: `UPDATE ${T} SET value = $2, version = nextval('${seq}'), expires_at = ${expiry}
      WHERE key = $1 RETURNING version`,
    lockedRemove: `DELETE FROM ${T} WHERE key = $1`,
    ...batchStatements(t),
    sweep: `DELETE FROM ${T} WHERE key IN (
        SELECT key FROM ${T} WHERE expires_at <= now()
        ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
      ) AND expires_at <= now()`,
  };
}
