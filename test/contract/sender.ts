/**
 * The shipped Sender contract (`phoneproof/testing`, src/testing/sender.ts) bound to
 * vitest, for this repository's sender tests.
 * @module
 */
import * as vitest from 'vitest';
import {
  contractMessage,
  type Delivered,
  type SenderHarness,
  senderContract as shipped,
} from '../../src/testing/index';

export type { Delivered, SenderHarness };
export { contractMessage };

export const senderContract = (name: string, make: () => Promise<SenderHarness>): void =>
  shipped(vitest, name, make);
