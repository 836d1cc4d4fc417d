/**
 * The host's `NODE_ENV`, read without assuming Node (`process` may be absent on other
 * runtimes): what the test-only helpers (test numbers, the outbox sender, the test clock)
 * are refused under when it is `production`.
 * @module
 */

/** The one global this module reads, typed here so that `src/` needs no Node types for it. */
declare const process: { readonly env: Readonly<Record<string, string | undefined>> };

/**
 * `process.env.NODE_ENV`, or undefined where there is no `process`.
 *
 * The expression is written out literally so that a bundler's `define` of
 * `process.env.NODE_ENV` (esbuild, Vite, webpack, Next.js, wrangler when `NODE_ENV` is set at
 * build time) replaces it: on Workers and the Edge runtime, where there is no `process`, a
 * production build still refuses the test-only helpers. Without such a build-time value and
 * without `process` (a Worker bundled with no `define`), the answer is undefined, as with
 * `NODE_ENV` unset on Node.
 *
 * Where the variable exists but cannot be read (Deno without `--allow-env` throws
 * `NotCapable`), the answer is `production`: the test-only helpers are then refused, never
 * silently allowed.
 */
export const nodeEnv = (): string | undefined => {
  try {
    return process.env.NODE_ENV;
  } catch (error) {
    // No `process` (ReferenceError) or no `process.env` (TypeError): nothing says production.
    if (error instanceof ReferenceError || error instanceof TypeError) return undefined;
    return 'production';
  }
};
