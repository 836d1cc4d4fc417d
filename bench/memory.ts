/**
 * Start+check cycles per second on the memory store, beside the crypto floor: a loop doing
 * the same phone parsing, random draws, HMACs and AES-GCM sealing that a cycle needs, with
 * no state, store or policy. Prints the ratio (target: the core cycle reaches >= 50% of the
 * floor). Also prints the cycle with proof tokens (a JWS per approval) and with the default
 * abuse defenses, so their cost is visible. Each cycle runs beside its own floor in a fresh
 * child process (interleaved rounds, CPU time, medians).
 * Run: npm run bench; `npm run bench -- --against /work/main [--runs 3]` alternates this
 * build's runs with another checkout's (each cycle beside its own build's floor).
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { memoryStore } from '../adapters/memory/index';
import { generateCode, NUMERIC_ALPHABET } from '../src/codes';
import { createVerifier, normalizePhone, type Sender, type VerifierOptions } from '../src/index';
import { randomPool } from '../src/random';
import { codeDigest, codeMatches, keyring, phoneKey, seal, unseal } from '../src/secrets';
import { newVerificationId } from '../src/verifier/ids';
import { compare, fmt } from './lib/measure';

const secret = 'bench-secret-bench-secret-bench-secret';
let lastCode = '';
const sender: Sender = {
  // As twilioSender with a status callback URL and vonageSender: reports carry the ref.
  reportsCarryRef: true,
  send: async (m) => {
    lastCode = m.code;
    return { ok: true, messageId: 'm' };
  },
};
// Many distinct numbers, as real traffic has: each phone is verified rarely.
const phones = Array.from(
  { length: 200_000 },
  (_, i) => `+1213${String(2_000_000 + i).padStart(7, '0')}`,
);
let n = 0;

function cycleOf(extra: Partial<VerifierOptions>) {
  const verifier = createVerifier({
    secret,
    store: memoryStore(),
    sender,
    // Generous windows so the benchmark measures the work, not the refusals.
    policy: { sendWindows: [{ windowMs: 60_000, max: 1_000_000 }] },
    unsafe: { weakPolicy: true }, // those windows are below the policy floor
    ...extra,
  });
  return async () => {
    n += 1;
    const s = await verifier.start({ phone: phones[n % phones.length]! });
    if (s.isErr()) throw new Error(s.error.code);
    const c = await verifier.check({ id: s.value.id, code: lastCode });
    if (c.isErr()) throw new Error(c.error.code);
  };
}

const ring = keyring(secret);
// The same pooled CSPRNG source the verifier uses by default (per-call overhead is avoidable).
const random = randomPool();
function floor(): void {
  n += 1;
  const phone = normalizePhone(phones[n % phones.length]!)._unsafeUnwrap().number;
  const key = phoneKey(ring, phone);
  const id = newVerificationId(ring, key, random(12));
  const code = generateCode(random, 6, NUMERIC_ALPHABET);
  const digest = codeDigest(ring.current, id, 'verify', code);
  const sealed = seal(ring, 'phone-number', phone, random(12));
  if (
    !codeMatches(ring, digest, id, 'verify', code) ||
    unseal(ring, 'phone-number', sealed) !== phone
  ) {
    throw new Error('floor');
  }
}

const cycles = {
  'start+check, core': { proof: false, abuse: false },
  'start+check, + proof tokens': { abuse: false },
  'start+check, defaults (proofs, abuse)': {},
} satisfies Record<string, Partial<VerifierOptions>>;
type Cycle = keyof typeof cycles;

/** One cycle beside its floor in a fresh process of `script` (this bench, or another build's). */
function child(script: string, name: Cycle): { floor: number; cycle: number } {
  const run = spawnSync(process.execPath, [...process.execArgv, script, name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`bench child for "${name}" failed`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { floor: number; cycle: number };
}

/**
 * `--against DIR`: the same bench of another checkout (main, say), bundled from its sources
 * like this one (bench/lib/run.mjs), its children alternated with this build's `--runs`
 * times (default 3), so both see the same machine. Each child measures its own build's cycle
 * beside its own build's floor.
 */
async function againstScript(dir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = resolve(dirname(process.argv[1]!), 'against-memory.mjs');
  await build({
    entryPoints: [resolve(dir, 'bench/memory.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

const us = (perSecond: number) => (1e6 / perSecond).toFixed(1);
const pct = (cycle: number, floor: number) => `${((cycle / floor) * 100).toFixed(1)}%`;

const args = process.argv.slice(2);
const againstAt = args.indexOf('--against');
const runsAt = args.indexOf('--runs');
const only = (args[0]?.startsWith('--') ? undefined : args[0]) as Cycle | undefined;
if (only !== undefined) {
  // One cycle beside the floor, in this fresh process: no other candidate's records (each
  // verifier's memory store keeps every record it wrote) weigh on the garbage collector.
  // CPU time: every loop is in-process work, so other load on the machine cancels out.
  const r = await compare(
    { 'crypto floor': floor, [only]: cycleOf(cycles[only]) },
    { clock: 'cpu' },
  );
  console.log(JSON.stringify({ floor: r['crypto floor'], cycle: r[only] }));
} else if (againstAt !== -1) {
  const other = await againstScript(args[againstAt + 1]!);
  const runs = runsAt === -1 ? 3 : Number(args[runsAt + 1]);
  console.log(`this build against ${args[againstAt + 1]}: ${runs} alternated runs per cycle`);
  for (const name of Object.keys(cycles) as Cycle[]) {
    const mine: string[] = [];
    const theirs: string[] = [];
    for (let i = 0; i < runs; i += 1) {
      for (const [script, into] of [
        [process.argv[1]!, mine],
        [other, theirs],
      ] as const) {
        const { floor: base, cycle } = child(script, name);
        into.push(`${pct(cycle, base)} (${us(cycle)} µs, floor ${us(base)} µs)`);
      }
    }
    console.log(`${name}\n  this:    ${mine.join(', ')}\n  against: ${theirs.join(', ')}`);
  }
} else {
  for (const name of Object.keys(cycles) as Cycle[]) {
    const { floor: base, cycle } = child(process.argv[1]!, name);
    console.log(
      `${name.padEnd(40)} ${fmt(cycle).padStart(8)} cycles/s  ${pct(cycle, base)} of the floor (${fmt(base)} cycles/s in the same process)`,
    );
  }
  console.log('target: the core cycle reaches >= 50% of the crypto floor');
}
