/**
 * The ConsentLedger port's contract suite. A ledger adapter's test file builds a harness
 * and calls `consentLedgerContract(vitest, name, make)`; a new ledger is done when it passes
 * unchanged. Entries are built with the real chain code, so the suite also proves that what
 * the adapter stores and returns still verifies, and that tampering with its storage is
 * detected. The tests themselves are in `consent-ledger-tests.ts` and `consent-ledger-damage.ts`.
 * @module
 */

import { erasureTests, tamperTests } from './consent-ledger-damage';
import type { ConsentLedgerHarness } from './consent-ledger-fixtures';
import { appendTests, concurrencyTests, fieldTests, readTests } from './consent-ledger-tests';
import type { TestRunner } from './runner';

export type { ConsentLedgerHarness } from './consent-ledger-fixtures';

/**
 * Registers the ConsentLedger contract: empty heads, append order and exact round trips,
 * appends without a write or with a thrown error, refused out-of-sequence entries, phone
 * independence, concurrent appends, detection of edited and deleted entries, redaction and
 * conditional purge. `make` is called once; the harness is reset before each test.
 */
export function consentLedgerContract(
  runner: TestRunner,
  name: string,
  make: () => Promise<ConsentLedgerHarness>,
): void {
  runner.describe(`ConsentLedger contract: ${name}`, () => {
    let harness: ConsentLedgerHarness | undefined;
    const h = (): ConsentLedgerHarness => {
      if (!harness) throw new Error('the ledger harness was not made (beforeAll failed)');
      return harness;
    };
    runner.beforeAll(async () => {
      harness = await make();
    });
    runner.beforeEach(() => h().reset());
    runner.afterAll(() => harness?.close());
    readTests(runner, h);
    fieldTests(runner, h);
    appendTests(runner, h);
    concurrencyTests(runner, h);
    tamperTests(runner, h);
    erasureTests(runner, h);
  });
}
