/**
 * Shared driver for the store benchmarks (`bench/redis.ts`, `bench/postgres.ts`): runs the
 * verifier's check and start beside a raw baseline with no verifier, sequentially and with
 * 100 operations in flight, in the same run, and prints operations per second and the ratios.
 * `update` is the store alone: the raw loop's swap of a record-sized value, through
 * `store.update`. `check` runs on the store that started the verifications (its last-value
 * cache holds them: one round trip); `check, other server` runs on a second store instance
 * without a cache (`cacheSize: 0`: read, then write), as a server that did not start them.
 */
import { generateCode, NUMERIC_ALPHABET } from '../../src/codes';
import { createVerifier, type Sender, type Store } from '../../src/index';
import { maskFormatted, parsePhone } from '../../src/phone';
import { randomPool } from '../../src/random';
import { codeDigest, keyring, phoneKey, seal } from '../../src/secrets';
import { newVerificationId } from '../../src/verifier/ids';
import { fmt, median } from './measure';

export const IN_FLIGHT = 100;
const secret = 'bench-secret-bench-secret-bench-secret';

const phoneList = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => `+1213${String(from + i).padStart(7, '0')}`);
/** Phones with one pending verification each, for checks (distinct records: no contention). */
export const checkPhones = phoneList(2_000_000, 2_000);
/** The same, for the checks on the second (uncached) store instance. */
const otherPhones = phoneList(4_000_000, 2_000);
/** Phones that starts rotate through, so that most records see one or two starts. */
const startPhones = phoneList(3_000_000, 50_000);

/** Calls `fn` (awaiting each) until `ms` of wall time have passed; returns calls per second. */
async function rate(fn: () => Promise<unknown>, ms: number): Promise<number> {
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    await fn();
    n += 1;
    elapsed = performance.now() - start;
  }
  return (n / elapsed) * 1000;
}

/** Interleaved, rotated rounds of every candidate (drift hits all alike); medians of calls/s. */
async function compareWall(
  candidates: Record<string, () => Promise<unknown>>,
  rounds: number,
  ms: number,
): Promise<Record<string, number>> {
  const runs: Record<string, number[]> = Object.fromEntries(
    Object.keys(candidates).map((k) => [k, []]),
  );
  for (const fn of Object.values(candidates)) await rate(fn, 200);
  const entries = Object.entries(candidates);
  for (let r = 0; r < rounds; r += 1) {
    // Rotate the order each round, so no candidate always follows the same one (garbage).
    for (let i = 0; i < entries.length; i += 1) {
      const [name, fn] = entries[(i + r) % entries.length]!;
      runs[name]!.push(await rate(fn, ms));
    }
  }
  return Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));
}

/** Runs `task(i)` for i in [0, n), `width` at a time. */
async function inChunks(n: number, width: number, task: (i: number) => Promise<void>) {
  for (let i = 0; i < n; i += width) {
    await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, j) => task(i + j)));
  }
}

export interface StoreBench {
  readonly name: string;
  /** The store under test, with its default options (last-value cache on). */
  readonly store: Store;
  /** A second instance on the same keys with `cacheSize: 0`: a server that saw nothing. */
  readonly uncached: Store;
  /** Writes `checkPhones.length` raw records holding `value` (a real record's size). */
  prepareRaw(value: string): Promise<void>;
  /** One raw operation on raw record `i` (e.g. GET + EVALSHA, or one UPDATE ... RETURNING). */
  raw(i: number): Promise<unknown>;
  /** What `raw` is, for the printout. */
  readonly rawLabel: string;
  /**
   * Writes `value` under a key never written before, as one atomic create (Redis: the
   * compare-and-set script expecting the key absent; PostgreSQL: `INSERT ... ON CONFLICT DO
   * NOTHING`): what a start must send for a new phone.
   */
  create(i: number, value: string): Promise<unknown>;
}

const ring = keyring(secret);
const random = randomPool();

/**
 * The start floor: what a start of a new phone cannot avoid, with no verifier around it.
 * Parse, validate, format and mask the number (libphonenumber-js), the phone-key HMAC, the
 * id, IV and code draws, the code HMAC, AES-256-GCM sealing, one JSON encoding of a record of
 * the real size, and one atomic create in the store.
 */
function startFloor(b: StoreBench, template: Record<string, unknown>) {
  let i = 0;
  return () => {
    i += 1;
    const p = parsePhone(startPhones[i % startPhones.length]!)._unsafeUnwrap();
    const key = phoneKey(ring, p.number);
    const nonce = random(30);
    const id = newVerificationId(ring, key, nonce.subarray(0, 12));
    const code = generateCode(random, 6, NUMERIC_ALPHABET);
    const record = Object.assign({}, template, {
      id,
      digest: codeDigest(ring.current, id, 'verify', code),
      to: maskFormatted(p.international, p.callingCode.length + 1, 2),
      sealed: seal(ring, 'phone-number', p.number, nonce.subarray(12, 24)),
    });
    return b.create(i, JSON.stringify(record));
  };
}

export interface BenchResult {
  readonly opsPerSecond: Record<string, number>;
  readonly ratios: Record<string, number>;
  /** Size of a record holding one verification, in bytes (what the raw loop writes). */
  readonly recordBytes: number;
}

/**
 * Prepares one pending verification per phone (checks are wrong guesses on them, each one
 * evaluated and written: one round trip on the store that started them, two on the uncached
 * second instance), then measures.
 */
export async function runStoreBench(b: StoreBench, rounds = 5): Promise<BenchResult> {
  const codes = new Map<string, string>();
  const sender: Sender = {
    // As twilioSender with a status callback URL and vonageSender: reports carry the ref.
    reportsCarryRef: true,
    send: async (m) => {
      codes.set(m.verificationId, m.code);
      return { ok: true, messageId: 'm' };
    },
  };
  const verifier = createVerifier({
    secret,
    store: b.store,
    sender,
    // Generous limits so the benchmark measures the work, not refusals; abuse defenses off
    // (they keep their own records: see docs/stores.md).
    policy: {
      sendWindows: [{ windowMs: 60_000, max: 1_000_000 }],
      maxChecks: 100,
      lockout: false,
    },
    unsafe: { weakPolicy: true }, // those limits are below the policy floor
    ...({ abuse: false } as object),
  });
  // The same verifier configuration on the second store instance (same secret and keys).
  const other = createVerifier({
    secret,
    store: b.uncached,
    sender,
    policy: {
      sendWindows: [{ windowMs: 60_000, max: 1_000_000 }],
      maxChecks: 100,
      lockout: false,
    },
    unsafe: { weakPolicy: true }, // those limits are below the policy floor
    ...({ abuse: false } as object),
  });
  const startAll = async (phones: string[]) => {
    const started: string[] = [];
    await inChunks(phones.length, 50, async (i) => {
      const s = await verifier.start({ phone: phones[i]!, purpose: 'bench-check' });
      if (s.isErr()) throw new Error(`setup start: ${s.error.code}`);
      started[i] = s.value.id;
    });
    return started;
  };
  const ids = await startAll(checkPhones);
  const otherIds = await startAll(otherPhones);
  // Ids are opaque: the record's key is the phone key, computed from the number.
  const firstKey = phoneKey(ring, parsePhone(checkPhones[0]!)._unsafeUnwrap().number);
  const sample = (await b.store.get(`phone:${firstKey}`)) ?? '';
  await b.prepareRaw(sample);
  const floor = startFloor(b, JSON.parse(sample) as Record<string, unknown>);
  // The store alone: the same swap as the raw loop, through `store.update`.
  const swap: [string, string] = [sample, `${sample.slice(0, -1)} `];
  await inChunks(checkPhones.length, 50, async (i) => {
    await b.store.update(`bench:${i}`, () => ({
      result: 0,
      write: { value: swap[0], ttlMs: 600_000 },
    }));
  });
  let u = 0;
  const update = () =>
    b.store.update(`bench:${u++ % checkPhones.length}`, (cur) => ({
      result: 0,
      write: { value: cur === swap[0] ? swap[1] : swap[0], ttlMs: 600_000 },
    }));
  const wrongFor = (id: string) => (codes.get(id) === '000000' ? '111111' : '000000');
  const unexpected = new Map<string, number>();
  const note = (code: string) => unexpected.set(code, (unexpected.get(code) ?? 0) + 1);

  let n = 0;
  const check = async () => {
    n += 1;
    const id = ids[n % ids.length]!;
    const r = await verifier.check({ id, code: wrongFor(id) });
    if (r.isOk() || r.error.code !== 'code_mismatch') note(r.isOk() ? 'approved' : r.error.code);
  };
  let o = 0;
  const checkOther = async () => {
    o += 1;
    const id = otherIds[o % otherIds.length]!;
    const r = await other.check({ id, code: wrongFor(id) });
    if (r.isOk() || r.error.code !== 'code_mismatch') note(r.isOk() ? 'approved' : r.error.code);
  };
  let m = 0;
  const start = async () => {
    m += 1;
    const r = await verifier.start({ phone: startPhones[m % startPhones.length]! });
    if (r.isErr()) note(r.error.code);
  };
  let k = 0;
  const raw = () => b.raw(k++ % checkPhones.length);
  const many = (op: () => Promise<unknown>) => () =>
    Promise.all(Array.from({ length: IN_FLIGHT }, op));

  // Checks are wrong guesses: 100 per verification are available, far more than a run uses.
  const r = await compareWall(
    {
      raw: raw,
      update: update,
      check: check,
      checkOther: checkOther,
      start: start,
      startFloor: floor,
      [`raw x${IN_FLIGHT}`]: many(raw),
      [`update x${IN_FLIGHT}`]: many(update),
      [`check x${IN_FLIGHT}`]: many(check),
      [`checkOther x${IN_FLIGHT}`]: many(checkOther),
      [`start x${IN_FLIGHT}`]: many(start),
      [`startFloor x${IN_FLIGHT}`]: many(floor),
    },
    rounds,
    1000,
  );
  const ops: Record<string, number> = {};
  for (const [name, v] of Object.entries(r)) ops[name] = name.includes(' x') ? v * IN_FLIGHT : v;
  const ratios = {
    update: ops.update! / ops.raw!,
    [`update x${IN_FLIGHT}`]: ops[`update x${IN_FLIGHT}`]! / ops[`raw x${IN_FLIGHT}`]!,
    check: ops.check! / ops.raw!,
    checkOther: ops.checkOther! / ops.raw!,
    start: ops.start! / ops.raw!,
    startFloor: ops.startFloor! / ops.raw!,
    [`startFloor x${IN_FLIGHT}`]: ops[`startFloor x${IN_FLIGHT}`]! / ops[`raw x${IN_FLIGHT}`]!,
    [`check x${IN_FLIGHT}`]: ops[`check x${IN_FLIGHT}`]! / ops[`raw x${IN_FLIGHT}`]!,
    [`checkOther x${IN_FLIGHT}`]: ops[`checkOther x${IN_FLIGHT}`]! / ops[`raw x${IN_FLIGHT}`]!,
    [`start x${IN_FLIGHT}`]: ops[`start x${IN_FLIGHT}`]! / ops[`raw x${IN_FLIGHT}`]!,
  };
  if (unexpected.size > 0) {
    throw new Error(`unexpected outcomes: ${JSON.stringify(Object.fromEntries(unexpected))}`);
  }
  return { opsPerSecond: ops, ratios, recordBytes: Buffer.byteLength(sample) };
}

/** Prints a result table. */
export function report(
  b: Pick<StoreBench, 'name' | 'rawLabel'>,
  res: BenchResult,
  target: number,
): void {
  const o = res.opsPerSecond;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(`${b.name}: verifier operations beside ${b.rawLabel} (same run, ops/s)`);
  console.log(`  record size (one verification): ${res.recordBytes} bytes`);
  for (const mode of ['', ` x${IN_FLIGHT}`]) {
    const label = mode ? `${IN_FLIGHT} in flight` : 'sequential';
    console.log(`  ${label}:`);
    console.log(`    ${'raw'.padEnd(19)} ${fmt(o[`raw${mode}`]!).padStart(8)}`);
    const labels = { update: 'update', check: 'check', checkOther: 'check, other server' };
    for (const [op, label] of Object.entries({
      ...labels,
      start: 'start',
      startFloor: 'start floor',
    })) {
      const ratio = res.ratios[`${op}${mode}`]!;
      console.log(
        `    ${label.padEnd(19)} ${fmt(o[`${op}${mode}`]!).padStart(8)}  ${pct(ratio)} of raw`,
      );
    }
    const toFloor = o[`start${mode}`]! / o[`startFloor${mode}`]!;
    console.log(`    ${'start / start floor'.padEnd(19)} ${pct(toFloor).padStart(8)}`);
  }
  const worst = Math.min(res.ratios[`check x${IN_FLIGHT}`]!, res.ratios[`start x${IN_FLIGHT}`]!);
  console.log(
    `  target: >= ${pct(target)} of raw at ${IN_FLIGHT} in flight: ${worst >= target ? 'met' : 'NOT met'} (${pct(worst)})`,
  );
}
