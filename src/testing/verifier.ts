/**
 * Verifier-level exactness on any Store: concurrent wrong guesses at one verification are
 * evaluated exactly up to the check limit, and concurrent right codes approve once. A store
 * adapter's test file calls `verifierContract(vitest, name, makeStore)`.
 * @module
 */
import type { Store } from '../ports/store';
import { outboxSender } from '../senders/outbox';
import { createVerifier } from '../verifier/create';
import type { TestRunner } from './runner';

function exactLimit(
  { it, expect }: TestRunner,
  makeStore: () => Promise<Store> | Store,
  n: number,
) {
  it(`${n} concurrent wrong checks on one verification evaluate exactly the limit`, async () => {
    const outbox = outboxSender();
    const store = await makeStore();
    const verifier = createVerifier({
      secret: 'contract-secret-contract-secret-000',
      store,
      sender: outbox,
    });
    const { id } = (await verifier.start({ phone: '+12133734253' }))._unsafeUnwrap();
    const code = outbox.last()!.code;
    const bad = (code[0] === '9' ? '0' : String(Number(code[0]) + 1)) + code.slice(1);
    const results = await Promise.all(
      Array.from({ length: n }, () => verifier.check({ id, code: bad })),
    );
    const codes = results.map((r) => (r.isOk() ? 'approved' : r.error.code));
    expect(codes.filter((c) => c === 'code_mismatch')).toHaveLength(5);
    expect(codes.filter((c) => c === 'approved')).toHaveLength(0);
    expect(new Set(codes)).toEqual(new Set(['code_mismatch', 'max_attempts_reached']));
    const attemptsReported = results.flatMap((r) =>
      r.isErr() && r.error.code === 'code_mismatch' ? [r.error.attemptsLeft] : [],
    );
    expect(attemptsReported.sort()).toEqual([0, 1, 2, 3, 4]);
    expect((await verifier.check({ id, code }))._unsafeUnwrapErr().code).toBe(
      'max_attempts_reached',
    );
    expect((await verifier.status({ id }))._unsafeUnwrap()).toMatchObject({
      status: 'failed',
      attemptsLeft: 0,
    });
  });
}

/**
 * Registers the verifier exactness tests on stores from `makeStore` (called once per test):
 * `concurrency` concurrent wrong checks (default 1000) and 100 concurrent right ones.
 */
export function verifierContract(
  runner: TestRunner,
  name: string,
  makeStore: () => Promise<Store> | Store,
  concurrency = 1000,
): void {
  const { describe, it, expect } = runner;
  describe(`Verifier exactness on ${name}`, () => {
    exactLimit(runner, makeStore, concurrency);

    it('concurrent right and wrong checks approve at most once', async () => {
      const outbox = outboxSender();
      const store = await makeStore();
      const verifier = createVerifier({
        secret: 'contract-secret-contract-secret-001',
        store,
        sender: outbox,
      });
      const { id } = (await verifier.start({ phone: '+33612345678' }))._unsafeUnwrap();
      const code = outbox.last()!.code;
      const results = await Promise.all(
        Array.from({ length: 100 }, () => verifier.check({ id, code })),
      );
      expect(results.filter((r) => r.isOk())).toHaveLength(1);
    });
  });
}
