/**
 * A stand-in for a database: rows with a version, read and written asynchronously, and a
 * conditional write of several rows that lands, all of it, only if every row still has the
 * version that was read. Any store with those two primitives (a SQL transaction of
 * `UPDATE ... WHERE version = $1`, a key-value store's multi-key compare-and-set) can back a
 * phoneproof Store the way `store.ts` does.
 * @module
 */

/** One stored row. A delete leaves a tombstone (`value` undefined) so versions never repeat. */
export interface Row {
  readonly value: string | undefined;
  readonly version: number;
  /** Epoch ms after which the row reads as absent. */
  readonly expiresAt: number;
}

/** One row of a conditional write. */
export interface VersionedWrite {
  readonly key: string;
  readonly version: number;
  readonly next: Row | undefined;
}

/** Rows by key, behind asynchronous calls (each one yields, as a network round trip would). */
export interface Backend {
  read(key: string): Promise<Row | undefined>;
  /**
   * Writes every `next` only if every row's version is still its `version` (0: no row;
   * `next` undefined: compare only), as one atomic step; false on a conflict (nothing written).
   */
  writeAllIf(writes: readonly VersionedWrite[]): Promise<boolean>;
  clear(): void;
}

const roundTrip = () => new Promise<void>((resolve) => setImmediate(resolve));

export function mapBackend(): Backend {
  const rows = new Map<string, Row>();
  return {
    async read(key) {
      await roundTrip();
      return rows.get(key);
    },
    async writeAllIf(writes) {
      await roundTrip();
      if (writes.some(({ key, version }) => (rows.get(key)?.version ?? 0) !== version))
        return false;
      for (const { key, next } of writes) if (next) rows.set(key, next);
      return true;
    },
    clear() {
      rows.clear();
    },
  };
}
