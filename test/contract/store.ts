/**
 * The shipped Store contract (`phoneproof/testing`, src/testing/store.ts) bound to vitest,
 * for this repository's store tests.
 * @module
 */
import * as vitest from 'vitest';
import { type StoreHarness, storeContract as shipped } from '../../src/testing/index';

export type { StoreHarness };

export const storeContract = (name: string, make: () => Promise<StoreHarness>): void =>
  shipped(vitest, name, make);
