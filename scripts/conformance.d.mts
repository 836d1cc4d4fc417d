/** Types of `scripts/conformance.mjs` (plain JavaScript, so every runtime runs it as is). */
/** Runs the conformance check; resolves to the steps passed, rejects on the first difference. */
export function conformance(): Promise<string[]>;
/** The runtime the check runs on, e.g. `Node 20.20.2`, `Bun 1.4.5`, `workerd`. */
export function runtimeName(): string;
