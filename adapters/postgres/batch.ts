/**
 * PostgreSQL's batched statements: one `SELECT` of N live rows, and one conditional write of
 * N rows, all or nothing, as a single data-modifying statement (no migration: plain SQL on
 * the store table). @internal
 * @module
 */
import type { TableName } from './pool';

/** The marker of a write that must not land (see `batchWrite`). */
export const CONFLICT_MARK = 'phoneproof_conflict';

/** A batched write's arguments, one entry per key (sorted by key). */
export interface BatchArgs {
  readonly keys: string[];
  /** The row version the transition saw; null: it saw the key absent. */
  readonly versions: (string | null)[];
  /** On a guess, the value it saw too (a version alone could recur after a restore). */
  readonly values: (string | null)[];
  /** The new value (`s` only). */
  readonly next: (string | null)[];
  /** Its time to live in ms (`s` only). */
  readonly ttls: (number | null)[];
  /** `s` set, `d` delete, `c` compare only. */
  readonly ops: ('s' | 'd' | 'c')[];
}

/** The statements' parameters, in order. */
export const batchValues = (a: BatchArgs): unknown[] => [
  a.keys,
  a.versions,
  a.values,
  a.next,
  a.ttls,
  a.ops,
];

/**
 * The batched SQL for one table.
 *
 * `batchWrite`, one statement (its own transaction):
 * 1. `l` locks the rows of the keys that exist (`FOR UPDATE`, in key order, so that two
 *    batches over overlapping keys queue instead of deadlocking); a row updated by a
 *    concurrent transaction is re-read once it commits.
 * 2. `c` checks every key: still the version (and, on a guess, the value) the transition
 *    saw, or still absent (no row, or an expired one).
 * 3. Only if all match: `s` upserts the set keys (updating only a row `l` locked, so a row
 *    created meanwhile by someone else is left alone) and `d` deletes the deleted ones. A
 *    key compared as absent but not written gets an expired placeholder row the same way
 *    (`-infinity`: it still reads as absent): `FOR UPDATE` cannot lock a row that does not
 *    exist, and the snapshot would not show one committed while `l` waited, but the
 *    insert's conflict check sees it, so a rival's write to such a key is not missed.
 * 4. The answer: `ok` with the new versions; or, on a mismatch, the live rows as found.
 *    A row created concurrently after the statement's snapshot (a key seen absent, written
 *    or only compared) makes `s` affect fewer rows than asked: then the final select fails on a cast of
 *    `CONFLICT_MARK`, which rolls the whole statement back (nothing written); the store
 *    reports a conflict that does not say what it found.
 */
export function batchStatements(t: TableName) {
  const T = t.sql;
  const seq = t.derived('_version_seq').replaceAll('"', '');
  return {
    readMany: `SELECT key, value, version FROM ${T}
      WHERE key = ANY($1::text[]) AND expires_at > now()`,
    batchWrite: `WITH i AS (
        SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[],
          $5::double precision[], $6::text[]) AS i(key, ver, val, nv, ttl, op)
      ),
      l AS (
        SELECT t.key, t.value, t.version, t.expires_at > now() AS live FROM ${T} t
          WHERE t.key = ANY($1::text[]) ORDER BY t.key FOR UPDATE
      ),
      c AS (
        SELECT bool_and(CASE WHEN i.ver IS NULL THEN coalesce(NOT l.live, true)
          ELSE coalesce(l.live AND l.version = i.ver
            AND (i.val IS NULL OR l.value = convert_to(i.val, 'UTF8')), false) END) AS ok,
          count(*) FILTER (WHERE i.op = 's' OR (i.op = 'c' AND i.ver IS NULL)) AS sets
        FROM i LEFT JOIN l ON l.key = i.key
      ),
      s AS (
        INSERT INTO ${T} AS t (key, value, version, expires_at)
          SELECT i.key, CASE WHEN i.op = 's' THEN convert_to(i.nv, 'UTF8') ELSE ''::bytea END,
              nextval('${seq}'), CASE WHEN i.op = 's'
                THEN now() + i.ttl * interval '1 millisecond' ELSE '-infinity' END
            FROM i, c WHERE c.ok AND (i.op = 's' OR (i.op = 'c' AND i.ver IS NULL))
            ORDER BY i.key
          ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version,
            expires_at = EXCLUDED.expires_at
          WHERE EXISTS (SELECT 1 FROM l WHERE l.key = t.key AND l.version = t.version)
          RETURNING t.key, t.version
      ),
      d AS (
        DELETE FROM ${T} t USING i, c
          WHERE c.ok AND i.op = 'd' AND t.key = i.key AND t.version = i.ver
          RETURNING t.key
      )
      SELECT c.ok,
        CASE WHEN c.ok AND (SELECT count(*) FROM s) <> c.sets
          THEN ('${CONFLICT_MARK} ' || c.sets::text)::int END AS abort,
        CASE WHEN c.ok THEN (SELECT array_agg(s.key) FROM s)
          ELSE (SELECT array_agg(l.key) FROM l WHERE l.live) END AS keys,
        CASE WHEN c.ok THEN (SELECT array_agg(s.version::text) FROM s)
          ELSE (SELECT array_agg(l.version::text) FROM l WHERE l.live) END AS versions,
        CASE WHEN c.ok THEN NULL
          ELSE (SELECT array_agg(encode(l.value, 'base64')) FROM l WHERE l.live) END AS vals,
        (SELECT count(*) FROM d) AS deleted
      FROM c`,
  };
}
