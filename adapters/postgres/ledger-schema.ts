/**
 * The consent ledger's table and its append-only trigger. @internal
 * @module
 */
import type { Migration } from './migrate';
import type { TableName } from './pool';

/** The ledger table's migrations, in order. */
export function ledgerMigrations(_t: TableName): Migration[] {
  return [];
}
