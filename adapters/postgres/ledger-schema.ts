/**
 * The consent ledger's tables and the triggers that keep its entries append-only. @internal
 *
 * Three tables, named from the ledger table `T` (default `phoneproof_consent`):
 * - `T`: the entries, one row per (phone_key, seq), holding every field the chain's MAC
 *   covers. A trigger refuses every UPDATE and TRUNCATE, and every DELETE while the phone's
 *   chain is live (its anchor row exists): only a whole-chain purge can remove entries.
 * - `T_heads`: one row per phone: the newest seq and the anchor. The compare-and-set point
 *   of appends and purges.
 * - `T_personal`: the erasable personal fields (ip, user agent, salt) and `redacted_at`, one
 *   row per entry that had any. A trigger lets an UPDATE only erase them.
 * @module
 */

import type { TableName } from './pool';
import type { Migration } from './schema';

/** The three table names of a ledger, quoted for SQL. */
export function ledgerTables(t: TableName) {
  return {
    entries: t.sql,
    heads: t.derived('_heads'),
    personal: t.derived('_personal'),
    guard: t.derived('_append_only'),
    erasure: t.derived('_erase_only'),
  };
}

/** The ledger table's migrations, in order. New steps are appended, never edited. */
export function ledgerMigrations(t: TableName): Migration[] {
  const n = ledgerTables(t);
  return [
    {
      id: `ledger:${t.schema ? `${t.schema}.` : ''}${t.bare}:1`,
      statements: [
        ...(t.schema ? [`CREATE SCHEMA IF NOT EXISTS "${t.schema}"`] : []),
        `CREATE TABLE IF NOT EXISTS ${n.entries} (
          phone_key text NOT NULL,
          seq bigint NOT NULL CHECK (seq >= 1),
          kind text NOT NULL CHECK (kind IN ('opted_in', 'opted_out')),
          at bigint NOT NULL,
          source text NOT NULL,
          text text,
          version text,
          keyword text,
          personal_digest text,
          prev text NOT NULL,
          hash text NOT NULL,
          PRIMARY KEY (phone_key, seq)
        )`,
        `CREATE TABLE IF NOT EXISTS ${n.heads} (
          phone_key text PRIMARY KEY,
          seq bigint NOT NULL,
          anchor text NOT NULL
        )`,
        `CREATE TABLE IF NOT EXISTS ${n.personal} (
          phone_key text NOT NULL,
          seq bigint NOT NULL,
          ip text,
          user_agent text,
          salt text,
          redacted_at bigint,
          PRIMARY KEY (phone_key, seq)
        )`,
        `CREATE OR REPLACE FUNCTION ${n.guard}() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
          IF TG_OP = 'DELETE' AND NOT EXISTS (
            SELECT 1 FROM ${n.heads} WHERE phone_key = OLD.phone_key
          ) THEN
            RETURN OLD; -- part of purging a whole chain whose anchor is already gone
          END IF;
          RAISE EXCEPTION 'phoneproof: consent ledger entries are append-only: % refused on %',
            TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'P0001',
              HINT = 'Consent entries are never changed; erase personal fields with redact.';
        END
        $fn$`,
        `DROP TRIGGER IF EXISTS ${t.local('_append_only')} ON ${n.entries}`,
        `CREATE TRIGGER ${t.local('_append_only')} BEFORE UPDATE OR DELETE ON ${n.entries}
          FOR EACH ROW EXECUTE FUNCTION ${n.guard}()`,
        `DROP TRIGGER IF EXISTS ${t.local('_no_truncate')} ON ${n.entries}`,
        `CREATE TRIGGER ${t.local('_no_truncate')} BEFORE TRUNCATE ON ${n.entries}
          FOR EACH STATEMENT EXECUTE FUNCTION ${n.guard}()`,
        `CREATE OR REPLACE FUNCTION ${n.erasure}() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
          IF NEW.phone_key = OLD.phone_key AND NEW.seq = OLD.seq AND NEW.ip IS NULL
            AND NEW.user_agent IS NULL AND NEW.salt IS NULL THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION 'phoneproof: personal consent fields can only be erased'
            USING ERRCODE = 'P0001';
        END
        $fn$`,
        `DROP TRIGGER IF EXISTS ${t.local('_erase_only')} ON ${n.personal}`,
        `CREATE TRIGGER ${t.local('_erase_only')} BEFORE UPDATE ON ${n.personal}
          FOR EACH ROW EXECUTE FUNCTION ${n.erasure}()`,
      ],
    },
    // The provider's inbound message id, kept as evidence (covered by the entry's MAC).
    textColumn(t, 2, n.entries, 'message_id'),
    // The channel consent was given or withdrawn over (evidence, covered by the MAC).
    textColumn(t, 3, n.entries, 'channel'),
  ];
}

/** Ledger step `step`: a nullable text column added to `table`. */
function textColumn(t: TableName, step: number, table: string, column: string): Migration {
  return {
    id: `ledger:${t.schema ? `${t.schema}.` : ''}${t.bare}:${step}`,
    statements: [`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${column} text`],
  };
}
