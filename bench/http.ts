/**
 * HTTP adapters' cost, for each framework of the registry (test/registry.ts FRAMEWORKS):
 * the check route through each adapter versus a bare route of the same framework written by
 * hand (parse the JSON body, call `verifier.check`, return a similar JSON body; for the fetch
 * handler, a hand-written `Request -> Response` handler on the same node:http bridge), in the
 * same run, with autocannon; a no-op route (same body, no verification)
 * shows the verifier's own share. Every checking request approves a different, real
 * verification (memory store). Rounds alternate between the routes; medians are reported as
 * requests per wall second (autocannon) and per CPU-second of the server process (the
 * latter is insensitive to other load on the machine).
 * Target: the adapter route reaches >= 85% of the bare route. Run: npm run bench:http
 * (BENCH_HTTP_REQUESTS per round, default 10000; BENCH_HTTP_ROUNDS, default 3;
 * BENCH_HTTP_FRAMEWORKS, e.g. `fetch` or `express,fastify`, default all).
 */
import { type ChildProcess, fork } from 'node:child_process';
// @ts-expect-error autocannon ships no type declarations
import autocannon from 'autocannon';
import { FRAMEWORKS } from '../test/registry';
import { median } from './lib/measure';

const perRound = Number(process.env.BENCH_HTTP_REQUESTS ?? 10_000);
const rounds = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);
const connections = 10;

type Route = 'noop' | 'bare' | 'adapter';
const ROUTES: readonly Route[] = ['noop', 'bare', 'adapter'];

interface Ready {
  port: number;
  pairs: [string, string][];
}

interface LoadResult {
  requests: { total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

function startServer(framework: string, count: number): Promise<{ child: ChildProcess } & Ready> {
  const script = new URL('./http-server.ts', import.meta.url).pathname;
  const child = fork(script, [framework, String(count)], {
    // BENCH_HTTP_CPU_PROF=<dir>: the server writes a V8 CPU profile there (node --cpu-prof).
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_HTTP_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_HTTP_CPU_PROF}`]
        : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ...(m as Ready) }));
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
}

function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve((m as { cpuMs: number }).cpuMs));
    child.send({ cpu: true });
  });
}

/** One bounded autocannon run of `perRound` requests; returns requests per second. */
async function load(port: number, prefix: string, pairs: [string, string][], from: number) {
  let i = from;
  let last = 0;
  const started = performance.now();
  const result = await new Promise<LoadResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections,
        amount: perRound,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req: Record<string, unknown>) => {
              const [id, code] = pairs[i % pairs.length]!;
              i += 1;
              return {
                ...req,
                path: `${prefix}/verifications/${id}/check`,
                body: JSON.stringify({ code }),
              };
            },
          },
        ],
      },
      (err: unknown, r: LoadResult) => (err ? reject(err) : resolve(r)),
    );
    // autocannon settles on its 1 s tick: time the run to the last response instead.
    instance.on('response', () => {
      last = performance.now();
    });
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${prefix}: ${bad} requests failed (non-2xx, errors or timeouts)`);
  return (result.requests.total / (last - started)) * 1000;
}

async function bench(framework: string) {
  // Every checking round (warm-up included) consumes verifications of its own.
  console.error(`${framework}: preparing ${perRound * (rounds + 1) * 2} verifications…`);
  const server = await startServer(framework, perRound * (rounds + 1) * 2);
  const rows: Record<Route, { rps: number[]; perCpu: number[] }> = {
    noop: { rps: [], perCpu: [] },
    bare: { rps: [], perCpu: [] },
    adapter: { rps: [], perCpu: [] },
  };
  let next = 0;
  const measure = async (which: Route, record: boolean) => {
    const prefix = which === 'adapter' ? '/verify' : `/${which}`;
    const cpu0 = await cpuOf(server.child);
    const rps = await load(server.port, prefix, server.pairs, which === 'noop' ? 0 : next);
    const cpu1 = await cpuOf(server.child);
    if (which !== 'noop') next += perRound;
    console.error(`  ${framework} ${which}${record ? '' : ' (warm-up)'}: ${Math.round(rps)} req/s`);
    if (record) {
      rows[which].rps.push(rps);
      rows[which].perCpu.push((perRound / (cpu1 - cpu0)) * 1000);
    }
  };
  for (const which of ROUTES) await measure(which, false); // warm-up
  for (let r = 0; r < rounds; r += 1) for (const which of ROUTES) await measure(which, true);
  server.child.disconnect();
  const m = (which: Route) => ({
    rps: median(rows[which].rps),
    perCpu: median(rows[which].perCpu),
  });
  return { framework, noop: m('noop'), bare: m('bare'), adapter: m('adapter') };
}

const results = [];
const only = process.env.BENCH_HTTP_FRAMEWORKS?.split(',');
for (const [framework] of FRAMEWORKS) {
  if (!only || only.includes(framework)) results.push(await bench(framework));
}
const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(1)}%`;
const n = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(`\n${perRound} requests per round, ${rounds} rounds, ${connections} connections\n`);
console.log(
  '| framework | no-op req/s | bare req/s | adapter req/s | adapter/bare (wall) | no-op req/CPU-s | bare req/CPU-s | adapter req/CPU-s | adapter/bare (CPU) |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.framework} | ${n(r.noop.rps)} | ${n(r.bare.rps)} | ${n(r.adapter.rps)} | ${pct(r.adapter.rps, r.bare.rps)} | ${n(r.noop.perCpu)} | ${n(r.bare.perCpu)} | ${n(r.adapter.perCpu)} | ${pct(r.adapter.perCpu, r.bare.perCpu)} |`,
  );
}
const met = results.every((r) => r.adapter.perCpu / r.bare.perCpu >= 0.85);
console.log(
  `\ntarget: adapter >= 85% of the hand-written bare route (per server CPU-second): ${met ? 'met' : 'NOT met'}`,
);
