/**
 * The adversarial suites' harness: every attack runs over real sockets on loopback, against
 * each framework adapter, and against each store where the store matters. The frameworks
 * and stores are the registries of test/registry.ts (a new one is one line there).
 * @internal test helper
 */
import { BACKENDS, type Backend, type BackendUnderTest, FRAMEWORKS } from '../registry';

export { FRAMEWORKS };

/** A store for one test, and how to dispose of it. */
export type StoreUnderTest = BackendUnderTest;

export type StoreKind = Backend;

/** The stores, each fresh per call. */
export const STORES: readonly StoreKind[] = BACKENDS;

/** Only the memory store: for attacks whose outcome does not depend on the store. */
export const MEMORY_ONLY: readonly StoreKind[] = STORES.filter((s) => s.name === 'memory');
