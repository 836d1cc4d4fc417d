/**
 * `phoneproof/memory`: in-process implementations of the ports, for tests, demos and
 * single-instance applications.
 * @module
 */

export { type MemoryConsentLedger, memoryConsentLedger } from './consent-ledger';
export { type MemoryStore, type MemoryStoreOptions, memoryStore } from './store';
