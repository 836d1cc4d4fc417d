/**
 * The test runner a contract suite registers its tests with, passed in by the caller
 * (`import * as vitest from 'vitest'`): phoneproof/testing never imports a runner, so a
 * suite always registers with the very runner instance that loaded the test file, and
 * Jest or Bun's `bun:test`, whose functions have the same shape, work too. Only the
 * assertions the suites use are listed.
 * @module
 */

/** An asynchronous assertion (`expect(promise).rejects`). */
export interface AsyncAssertion {
  toBe(expected: unknown): Promise<void>;
  toBeInstanceOf(expected: abstract new (...args: never[]) => unknown): Promise<void>;
}

/** The assertions of `expect(actual)` that the suites use. */
export interface Assertion {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatchObject(expected: object): void;
  toHaveLength(length: number): void;
  toContain(item: unknown): void;
  toBeUndefined(): void;
  readonly not: Assertion;
  readonly rejects: AsyncAssertion;
}

type Hook = (fn: () => unknown) => void;

/** `describe`, `it`, `expect` and the four hooks, as vitest, Jest and `bun:test` export them. */
export interface TestRunner {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void> | void): void;
  expect(actual: unknown): Assertion;
  readonly beforeAll: Hook;
  readonly beforeEach: Hook;
  readonly afterAll: Hook;
  readonly afterEach: Hook;
}
