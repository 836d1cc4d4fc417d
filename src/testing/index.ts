/**
 * `phoneproof/testing`: what tests need, for adapters and for applications.
 *
 * - Contract suites for adapters published in other packages: `storeContract`,
 *   `consentLedgerContract`, `senderContract` and `verifierContract`, each taking the test
 *   runner (`import * as vitest from 'vitest'`), a name and a harness factory.
 * - For an application's own tests: `testClock` (time that moves when told), `outboxSender`
 *   (keeps every message and its code), and fast-check arbitraries `phoneNumber` and
 *   `verificationCode` (`fast-check` is an optional peer dependency, needed by this entry).
 *
 * The port types an adapter implements are in `phoneproof/ports`. See docs/adapters.md and
 * docs/testing-your-app.md.
 * @module
 */

export {
  type OutboxMessage,
  type OutboxOptions,
  type OutboxSender,
  outboxSender,
} from '../senders/outbox';
export { DEFAULT_TEST_COUNTRIES, phoneNumber, verificationCode } from './arbitraries';
export { TEST_CLOCK_START, type TestClock, testClock } from './clock';
export { type ConsentLedgerHarness, consentLedgerContract } from './consent-ledger';
export type { Assertion, AsyncAssertion, TestRunner } from './runner';
export {
  contractMessage,
  type Delivered,
  type SenderHarness,
  senderContract,
} from './sender';
export { type StoreHarness, storeContract } from './store';
export { verifierContract } from './verifier';
