/**
 * The shipped verifier exactness contract (`phoneproof/testing`, src/testing/verifier.ts)
 * bound to vitest, for this repository's store tests.
 * @module
 */
import * as vitest from 'vitest';
import type { Store } from '../../src/ports/store';
import { verifierContract as shipped } from '../../src/testing/index';

export const verifierContract = (
  name: string,
  makeStore: () => Promise<Store> | Store,
  concurrency?: number,
): void => shipped(vitest, name, makeStore, concurrency);
