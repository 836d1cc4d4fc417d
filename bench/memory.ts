/**
 * Start+check cycles per second on the memory store, beside the crypto floor: a loop doing
 * the same phone parsing, random draws, HMACs and AES-GCM sealing that a cycle needs, with
 * no state, store or policy. Prints the ratio (target: the core cycle reaches >= 50% of the
 * floor). Also prints the cycle with proof tokens (a JWS per approval) and with the default
 * abuse defenses, so their cost is visible. Each cycle runs beside its own floor in a fresh
 * child process (interleaved rounds, CPU time, medians).
 * Run: npm run bench
 */
import { spawnSync } from 'node:child_process';
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

const only = process.argv[2] as Cycle | undefined;
if (only !== undefined) {
  // One cycle beside the floor, in this fresh process: no other candidate's records (each
  // verifier's memory store keeps every record it wrote) weigh on the garbage collector.
  // CPU time: every loop is in-process work, so other load on the machine cancels out.
  const r = await compare(
    { 'crypto floor': floor, [only]: cycleOf(cycles[only]) },
    { clock: 'cpu' },
  );
  console.log(JSON.stringify({ floor: r['crypto floor'], cycle: r[only] }));
} else {
  for (const name of Object.keys(cycles) as Cycle[]) {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`bench child for "${name}" failed`);
    const { floor: base, cycle } = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {
      floor: number;
      cycle: number;
    };
    console.log(
      `${name.padEnd(40)} ${fmt(cycle).padStart(8)} cycles/s  ${((cycle / base) * 100).toFixed(1)}% of the floor (${fmt(base)} cycles/s in the same process)`,
    );
  }
  console.log('target: the core cycle reaches >= 50% of the crypto floor');
}
