/**
 * The crypto backend a conformance run must load, asserted. phoneproof exposes no backend
 * name, so it is read from the side: the file `#crypto-backend` (package.json `imports`)
 * resolved to, `dist/crypto-node.js` or `dist/crypto-noble.js`. The launchers pass the
 * expected name (`--backend=node` on Node, Bun and Deno, `--backend=noble` on workerd and the
 * Edge runtime, from scripts/conformance-all.mjs); a run without it checks nothing.
 * @module
 */

/** The `--backend=` argument, or undefined. */
export function expectedBackend(argv) {
  return argv.find((a) => a.startsWith('--backend='))?.slice('--backend='.length);
}

/** The backend a resolved or bundled path names (`node`, `noble`), or undefined. */
export function backendOf(path) {
  return /(?:^|[/\\])dist[/\\]crypto-(node|noble)\.js$/.exec(path)?.[1];
}

/**
 * Throws unless the backends loaded are exactly `[expected]` (when one is expected); returns
 * the line the launchers print.
 */
export function assertBackend(loaded, expected, where) {
  const names = [...new Set(loaded)].sort();
  if (expected !== undefined && (names.length !== 1 || names[0] !== expected)) {
    throw new Error(
      `${where}: crypto backend ${names.join(' + ') || 'none'} loaded, want ${expected}`,
    );
  }
  return `crypto backend: ${names.join(' + ') || 'none'}${expected ? ` (want ${expected})` : ''}`;
}
