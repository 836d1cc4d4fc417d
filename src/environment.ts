/**
 * The host's `NODE_ENV`, read without assuming Node (`process` may be absent on other
 * runtimes): what the test-only helpers (test numbers, the outbox sender, the test clock)
 * are refused under when it is `production`.
 * @module
 */

/**
 * `process.env.NODE_ENV`, or undefined where there is no `process`. Where the variable
 * exists but cannot be read (Deno without `--allow-env` throws `NotCapable`), the answer is
 * `production`: the test-only helpers are then refused, never silently allowed.
 */
export const nodeEnv = (): string | undefined => {
  try {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
      ?.NODE_ENV;
  } catch {
    return 'production';
  }
};
