/** Types of `scripts/internal-imports.mjs`. */
import type { Plugin } from 'esbuild';

/** The modules package.json `imports` names, as tsup entries (built name to source file). */
export function internalEntryPoints(): Record<string, string>;
/** Each `#` specifier to the source file a resolver with these conditions reaches. */
export function backendSources(conditions: readonly string[]): Record<string, string>;
/** An esbuild plugin resolving every `#` specifier of a source file to its source under `conditions`. */
export function backendSourcesPlugin(conditions: readonly string[]): Plugin;
