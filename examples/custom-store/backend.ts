/**
 * A stand-in for a database: rows with a version, read and written asynchronously, and a
 * conditional write that lands only if the row still has the version that was read. Any
 * store with those two primitives (SQL `UPDATE ... WHERE version = $1`, a key-value store's
 * compare-and-set) can back a phoneproof Store the way `store.ts` does.
 * @module
 */

/** One stored row. A delete leaves a tombstone (`value` undefined) so versions never repeat. */
export interface Row {
  readonly value: string | undefined;
  readonly version: number;
  /** Epoch ms after which the row reads as absent. */
  readonly expiresAt: number;
}

/** Rows by key, behind asynchronous calls (each one yields, as a network round trip would). */
export interface Backend {
  read(key: string): Promise<Row | undefined>;
  /** Writes `next` if the row's version is still `version` (0: no row); false on a conflict. */
  writeIf(key: string, version: number, next: Row): Promise<boolean>;
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
    async writeIf(key, version, next) {
      await roundTrip();
      if ((rows.get(key)?.version ?? 0) !== version) return false;
      rows.set(key, next);
      return true;
    },
    clear() {
      rows.clear();
    },
  };
}
