/** Types of `scripts/conformance-match.mjs`. */
/** Throws (naming `path`) unless `got` is exactly `want`: values, predicates, objects, arrays. */
export function match(got: unknown, want: unknown, path: string): void;
export const ID: (v: unknown) => boolean;
export const JWT: (v: unknown) => boolean;
export const TEXT: (v: unknown) => boolean;
/** The error body every refusal has. */
export function refusal(code: string, extra?: Record<string, unknown>): unknown;
