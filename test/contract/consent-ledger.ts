/**
 * The shipped ConsentLedger contract (`phoneproof/testing`, src/testing/consent-ledger.ts)
 * bound to vitest, for this repository's ledger tests.
 * @module
 */
import * as vitest from 'vitest';
import {
  type ConsentLedgerHarness,
  consentLedgerContract as shipped,
} from '../../src/testing/index';

export type { ConsentLedgerHarness };

export const consentLedgerContract = (
  name: string,
  make: () => Promise<ConsentLedgerHarness>,
): void => shipped(vitest, name, make);
