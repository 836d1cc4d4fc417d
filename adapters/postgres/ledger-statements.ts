/**
 * The SQL behind `postgresConsentLedger`: the head and the chain in one snapshot each, the
 * append that moves the anchor row and inserts the entry in one statement, redaction and the
 * purge's two steps. @internal
 * @module
 */
import { LEDGER_COLUMNS } from '../ledger-row';
import type { ledgerTables } from './ledger-schema';

/** The ledger's SQL, for its tables. */
export function ledgerStatements(t: ReturnType<typeof ledgerTables>) {
  const columns = LEDGER_COLUMNS;
  const rows = `FROM ${t.entries} e LEFT JOIN ${t.personal} p
    ON p.phone_key = e.phone_key AND p.seq = e.seq WHERE e.phone_key = $1`;
  return {
    head: `SELECT h.anchor, h.seq AS head_seq,
      (SELECT row_to_json(x) FROM (SELECT ${columns} ${rows} ORDER BY e.seq DESC LIMIT 1) x) AS entry
      FROM (SELECT 1) one LEFT JOIN ${t.heads} h ON h.phone_key = $1`,
    list: `SELECT h.anchor,
      (SELECT coalesce(json_agg(x ORDER BY x.seq), '[]'::json) FROM (SELECT ${columns} ${rows}) x) AS entries
      FROM (SELECT 1) one LEFT JOIN ${t.heads} h ON h.phone_key = $1`,
    append: (first: boolean) => `WITH h AS (${
      first
        ? `INSERT INTO ${t.heads} (phone_key, seq, anchor) VALUES ($1, $2::bigint, $3)
           ON CONFLICT (phone_key) DO NOTHING RETURNING phone_key`
        : `UPDATE ${t.heads} SET seq = $2::bigint, anchor = $3
           WHERE phone_key = $1 AND seq = $2::bigint - 1 RETURNING phone_key`
    }), e AS (
      INSERT INTO ${t.entries} (phone_key, seq, kind, at, source, text, version, keyword,
        personal_digest, prev, hash, message_id, channel)
      SELECT $1, $2::bigint, $4, $5::bigint, $6, $7, $8, $9, $10, $11, $12, $17, $18 FROM h
      RETURNING 1
    ), p AS (
      INSERT INTO ${t.personal} (phone_key, seq, ip, user_agent, salt, redacted_at)
      SELECT $1, $2::bigint, $13, $14, $15, $16::bigint FROM h
      WHERE $13::text IS NOT NULL OR $14::text IS NOT NULL OR $15::text IS NOT NULL
        OR $16::bigint IS NOT NULL
      RETURNING 1
    ) SELECT count(*)::int AS moved FROM h`,
    redact: `UPDATE ${t.personal} SET ip = NULL, user_agent = NULL, salt = NULL,
      redacted_at = $2::bigint
      WHERE phone_key = $1 AND (ip IS NOT NULL OR user_agent IS NOT NULL OR salt IS NOT NULL)`,
    purgeHead: `DELETE FROM ${t.heads} WHERE phone_key = $1 AND seq = $2::bigint`,
    purgeRest: `WITH p AS (DELETE FROM ${t.personal} WHERE phone_key = $1)
      DELETE FROM ${t.entries} WHERE phone_key = $1`,
  };
}
