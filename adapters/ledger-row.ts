/**
 * What the SQL ledgers (PostgreSQL, SQLite) share: the row shape (one entry row joined with
 * its personal fields) and the entry it stands for, so a field added to `ConsentEntry` is
 * added to every SQL ledger at once; and the rule an append must meet. @internal
 * @module
 */
import type { ConsentEntry } from '../src/ports/consent-ledger';

/** An entry row joined with its personal row; drivers may give integers as bigint. */
export interface LedgerRow {
  seq: number | bigint;
  kind: ConsentEntry['kind'];
  at: number | bigint;
  source: string;
  text: string | null;
  version: string | null;
  keyword: string | null;
  message_id: string | null;
  channel: NonNullable<ConsentEntry['channel']> | null;
  personal_digest: string | null;
  prev: string;
  hash: string;
  ip: string | null;
  user_agent: string | null;
  salt: string | null;
  redacted_at: number | bigint | string | null;
}

/** The columns of a `LedgerRow`, for `SELECT` (entries aliased `e`, personal rows `p`). */
export const LEDGER_COLUMNS = `e.seq, e.kind, e.at, e.source, e.text, e.version, e.keyword,
    e.message_id, e.channel, e.personal_digest, e.prev, e.hash, p.ip, p.user_agent, p.salt, p.redacted_at`;

/** A stored row as an entry: NULL columns become absent properties. */
export function entryOfRow(r: LedgerRow): ConsentEntry {
  const opt = <K extends string, V>(k: K, v: V | null) =>
    (v === null ? {} : { [k]: v }) as Partial<Record<K, V>>;
  return {
    seq: Number(r.seq),
    kind: r.kind,
    at: Number(r.at),
    source: r.source,
    ...opt('text', r.text),
    ...opt('version', r.version),
    ...opt('keyword', r.keyword),
    ...opt('messageId', r.message_id),
    ...opt('channel', r.channel),
    ...opt('ip', r.ip),
    ...opt('userAgent', r.user_agent),
    ...opt('salt', r.salt),
    ...opt('personalDigest', r.personal_digest),
    ...(r.redacted_at === null ? {} : { redactedAt: Number(r.redacted_at) }),
    prev: r.prev,
    hash: r.hash,
  };
}

/**
 * The rule every SQL ledger applies before an append, read under its lock: the entry follows
 * the newest one (`RangeError` otherwise, as the port says), and the anchor still names that
 * newest entry (a chain altered outside the library is never appended to). Returns the newest
 * entry's seq (0 for an empty chain).
 */
export function appendAfter(
  head: { readonly entry?: { readonly seq: number } },
  anchorSeq: number,
  entry: { readonly seq: number },
): number {
  const seen = head.entry?.seq ?? 0;
  if (entry.seq !== seen + 1) {
    throw new RangeError(`consent entry seq must be ${seen + 1} (got ${entry.seq})`);
  }
  if (anchorSeq !== seen) {
    throw new Error(
      `phoneproof: the consent chain was altered outside the library (anchor at seq ${anchorSeq}, newest entry ${seen}); refusing to append`,
    );
  }
  return seen;
}
