/**
 * The SQL behind `postgresStore`: reads, conditional writes (on a row version read, or on a
 * cached version and value), the locked path and the sweep. @internal
 * @module
 */
import type { TableName } from './pool';

/** `write` (a statement on key $1 returning `version`), answering `GuessRow` rows. */
const landedOrCurrent = (T: string, write: string) => `WITH w AS (${write})
  SELECT true AS ok, version, NULL::bytea AS value FROM w
  UNION ALL
  SELECT false, version, value FROM ${T}
    WHERE key = $1 AND expires_at > now() AND NOT EXISTS (SELECT 1 FROM w)`;

/** The store's SQL, for one table. */
export function statements(t: TableName) {
  const T = t.sql;
  const seq = t.derived('_version_seq').replaceAll('"', '');
  const expiry = `now() + $3::double precision * interval '1 millisecond'`;
  return {
    read: `SELECT value, version FROM ${T} WHERE key = $1 AND expires_at > now()`,
    // Absent or expired when read: create, or replace a row that is still expired.
    insert: `INSERT INTO ${T} AS t (key, value, version, expires_at)
      VALUES ($1, $2, nextval('${seq}'), ${expiry})
      ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version,
        expires_at = EXCLUDED.expires_at
      WHERE t.expires_at <= now() RETURNING t.version`,
    update: `UPDATE ${T} SET value = $2, version = nextval('${seq}'), expires_at = ${expiry}
      WHERE key = $1 AND version = $4 AND expires_at > now() RETURNING version`,
    remove: `DELETE FROM ${T} WHERE key = $1 AND version = $2 AND expires_at > now()`,
    // Writes computed on a cached record (or on absence, for a key with nothing cached):
    // conditional on the cached version and value (a version alone could recur after a
    // restore from backup), answering either that the write landed or the live row as it
    // is in the statement's snapshot (none: absent or expired), so that a stale guess costs
    // no extra read.
    guessUpdate: landedOrCurrent(
      T,
      `UPDATE ${T} SET value = $2, version = nextval('${seq}'), expires_at = ${expiry}
        WHERE key = $1 AND version = $4 AND value = $5 AND expires_at > now() RETURNING version`,
    ),
    guessRemove: landedOrCurrent(
      T,
      `DELETE FROM ${T} WHERE key = $1 AND version = $2 AND value = $3 AND expires_at > now()
        RETURNING version`,
    ),
    // Expecting absence: a conflicting row, live or expired, is left alone (and not locked).
    guessInsert: landedOrCurrent(
      T,
      `INSERT INTO ${T} (key, value, version, expires_at)
        VALUES ($1, $2, nextval('${seq}'), ${expiry}) ON CONFLICT (key) DO NOTHING
        RETURNING version`,
    ),
    // The locked path: the row (live or expired) is ours until COMMIT.
    lockRow: `SELECT value, version, expires_at > now() AS live FROM ${T} WHERE key = $1 FOR UPDATE`,
    lockedUpdate: `UPDATE ${T} SET value = $2, version = nextval('${seq}'), expires_at = ${expiry}
      WHERE key = $1 RETURNING version`,
    lockedInsert: `INSERT INTO ${T} (key, value, version, expires_at)
      VALUES ($1, $2, nextval('${seq}'), ${expiry}) ON CONFLICT (key) DO NOTHING
      RETURNING version`,
    lockedRemove: `DELETE FROM ${T} WHERE key = $1`,
    sweep: `DELETE FROM ${T} WHERE key IN (
        SELECT key FROM ${T} WHERE expires_at <= now()
        ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED
      ) AND expires_at <= now()`,
  };
}
