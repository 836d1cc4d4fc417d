/**
 * `StoreSchemaError`: what a Store or ConsentLedger adapter throws when its tables are
 * missing (the application never ran the adapter's `migrate`). The verifier still answers
 * `store_unavailable` (503), but with a message that names the fix, so a forgotten migration
 * is not mistaken for an outage.
 * @module
 */

/** A store's tables or schema are missing: run the adapter's `migrate` once. */
export class StoreSchemaError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreSchemaError';
  }
}

/** Whether `e` says the store is not migrated (by name too, should two copies be loaded). */
export function isStoreSchemaError(e: unknown): e is Error {
  return e instanceof StoreSchemaError || (e instanceof Error && e.name === 'StoreSchemaError');
}

const warned = new Set<string>();

/**
 * Reports a missing schema once per process and message (a `process` warning with code
 * `PHONEPROOF_NOT_MIGRATED`), not once per request. Returns the error to throw.
 */
export function schemaError(message: string, cause: unknown): StoreSchemaError {
  if (!warned.has(message)) {
    warned.add(message);
    // `process` is Node's (and Bun's, Deno's); elsewhere the error alone says it.
    const host = (globalThis as { process?: { emitWarning?: (m: string, o: object) => void } })
      .process;
    host?.emitWarning?.(message, { code: 'PHONEPROOF_NOT_MIGRATED' });
  }
  return new StoreSchemaError(message, { cause });
}
