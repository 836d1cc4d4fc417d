/**
 * The SQL behind `sqliteConsentLedger`: the anchor row and the newest entry, the whole chain,
 * the append's three inserts, redaction and the purge's steps. @internal
 * @module
 */
import { LEDGER_COLUMNS } from '../ledger-row';

/** The ledger's SQL for table `t` (bare name, validated) and its `_heads` and `_personal`. */
export function ledgerStatements(t: string) {
  const columns = LEDGER_COLUMNS;
  const rows = `FROM "${t}" e LEFT JOIN "${t}_personal" p
    ON p.phone_key = e.phone_key AND p.seq = e.seq WHERE e.phone_key = ?`;
  return {
    anchor: `SELECT seq, anchor FROM "${t}_heads" WHERE phone_key = ?`,
    newest: `SELECT ${columns} ${rows} ORDER BY e.seq DESC LIMIT 1`,
    all: `SELECT ${columns} ${rows} ORDER BY e.seq`,
    firstHead: `INSERT INTO "${t}_heads" (phone_key, seq, anchor) VALUES (?, ?, ?)`,
    moveHead: `UPDATE "${t}_heads" SET seq = ?, anchor = ? WHERE phone_key = ? AND seq = ?`,
    entry: `INSERT INTO "${t}" (phone_key, seq, kind, at, source, text, version, keyword,
      personal_digest, prev, hash, message_id, channel)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    personal: `INSERT INTO "${t}_personal" (phone_key, seq, ip, user_agent, salt, redacted_at)
      VALUES (?, ?, ?, ?, ?, ?)`,
    redact: `UPDATE "${t}_personal" SET ip = NULL, user_agent = NULL, salt = NULL,
      redacted_at = ?
      WHERE phone_key = ? AND (ip IS NOT NULL OR user_agent IS NOT NULL OR salt IS NOT NULL)`,
    purgeHead: `DELETE FROM "${t}_heads" WHERE phone_key = ? AND seq = ?`,
    purgePersonal: `DELETE FROM "${t}_personal" WHERE phone_key = ?`,
    purgeEntries: `DELETE FROM "${t}" WHERE phone_key = ?`,
  };
}
