/**
 * Brute-force simulation (bounded): attackers guess codes for one phone as fast as the real
 * verifier allows under the default policy and abuse defenses (memory store, fake clock),
 * on a fresh IP for every verification (its checks and resend come from the IP that started
 * it: only that requester may act on it) so that only the per-phone limits bind.
 *
 * 1. Greedy: start as soon as allowed, 5 guesses per verification, resends tried too.
 *    Guesses evaluated per calendar day and in the worst rolling 24 hours, for 7 days.
 * 2. Edge: a schedule built to crowd one rolling 24 hours (verifications started just
 *    before it, guessed just inside it; four guesses each so they stay open).
 * 3. Monte Carlo with small code spaces (6-digit success is too rare to observe): 4 digits
 *    (10^4 codes) and 4 characters of `0123` (256 codes). The observed success rate per
 *    phone-day against 1 - (1 - 5/space)^verifications and the bound guesses / space.
 *
 * Run: npm run sim:bruteforce [-- --days 7 --trials 2000 --seed 11]
 */
import { memoryStore } from '../adapters/memory/index';
import type { PolicyOptions } from '../src/core/policy';
import { createVerifier } from '../src/index';
import { outboxSender } from '../src/senders/outbox';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DAYS = Math.min(arg('days', 7), 60);
const TRIALS = Math.min(arg('trials', 2_000), 100_000);
const SEED = arg('seed', 11);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 5);
const PHONE = '+12133734253';

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(SEED);

function world(policy: PolicyOptions = {}) {
  const clock = { now: T0 };
  const outbox = outboxSender();
  const verifier = createVerifier({
    secret: 'bruteforce-simulation-secret-0123456789ab',
    store: memoryStore({ now: () => clock.now }),
    sender: outbox,
    now: () => clock.now,
    policy,
    // The simulation also measures short codes and small alphabets, below the policy floor.
    unsafe: { weakPolicy: true },
  });
  let ip = 0;
  const context = () => {
    ip += 1;
    return { ip: `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}` };
  };
  return { clock, outbox, verifier, context };
}

/** `n` distinct random guesses of `length` characters of `alphabet`. */
function guesses(n: number, length: number, alphabet = '0123456789'): string[] {
  const out = new Set<string>();
  while (out.size < n) {
    out.add(Array.from({ length }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(''));
  }
  return [...out];
}

/** Evaluated guesses: a code_mismatch or an approval. */
type Guess = { at: number; hit: boolean };

type Ctx = ReturnType<ReturnType<typeof world>['context']>;

async function guess(
  w: ReturnType<typeof world>,
  id: string,
  code: string,
  log: Guess[],
  context: Ctx,
) {
  const r = await w.verifier.check({ id, code, context });
  if (r.isOk() || r.error.code === 'code_mismatch') log.push({ at: w.clock.now, hit: r.isOk() });
  return r;
}

async function greedy(days: number, codeLength = 6, alphabet = '0123456789') {
  const w = world(codeLength === 6 ? {} : { codeLength, alphabet });
  const log: Guess[] = [];
  while (w.clock.now < T0 + days * DAY) {
    const context = w.context();
    const s = await w.verifier.start({ phone: PHONE, context });
    if (s.isErr()) {
      w.clock.now += Math.max(1, s.error.retryAfter ?? 60) * 1000;
      continue;
    }
    for (const code of guesses(5, codeLength, alphabet)) {
      const r = await guess(w, s.value.id, code, log, context);
      if (r.isOk()) return log;
    }
    // A resend brings no new checks: try one anyway.
    w.clock.now += 30_000;
    await w.verifier.resend({ id: s.value.id, context });
    await guess(w, s.value.id, guesses(1, codeLength, alphabet)[0]!, log, context);
    w.clock.now += 1_000;
  }
  return log;
}

function worstWindow(log: Guess[]): number {
  let worst = 0;
  let j = 0;
  for (let i = 0; i < log.length; i += 1) {
    while (log[j]!.at <= log[i]!.at - DAY) j += 1;
    worst = Math.max(worst, i - j + 1);
  }
  return worst;
}

/** Crowds the rolling day [T, T + 24 h): 5 verifications just before, 5 amid, 5 at the end. */
async function edge() {
  const w = world();
  const log: Guess[] = [];
  const T = T0 + DAY;
  const purposes = ['a', 'b', 'c', 'd', 'e'];
  const burst = async (startAt: number, guessAt: number, perVerification: number) => {
    w.clock.now = startAt;
    const ids: Array<[string, Ctx]> = [];
    for (const purpose of purposes) {
      const context = w.context();
      const s = await w.verifier.start({ phone: PHONE, purpose, context });
      if (s.isOk()) ids.push([s.value.id, context]);
      w.clock.now += 1_000;
    }
    w.clock.now = Math.max(w.clock.now, guessAt);
    for (const [id, c] of ids) for (const code of guesses(4, 6)) await guess(w, id, code, log, c);
    if (perVerification === 5) {
      for (const [id, c] of ids) await guess(w, id, guesses(1, 6)[0]!, log, c);
    }
  };
  await burst(T - 9 * MIN, T, 5);
  for (let k = 0; k < 5; k += 1) {
    w.clock.now = T + 2 * HOUR + k * 3 * HOUR;
    const context = w.context();
    const s = await w.verifier.start({ phone: PHONE, purpose: 'mid', context });
    if (s.isOk()) for (const code of guesses(5, 6)) await guess(w, s.value.id, code, log, context);
  }
  await burst(T + DAY - 8 * MIN, T + DAY - 8 * MIN + 10_000, 4);
  return log.filter((g) => g.at >= T && g.at < T + DAY).length;
}

async function monteCarlo(trials: number, alphabet: string) {
  let hits = 0;
  let evaluated = 0;
  let fullDays = 0;
  let fullDayGuesses = 0;
  for (let i = 0; i < trials; i += 1) {
    const log = await greedy(1, 4, alphabet);
    if (!log.some((g) => g.hit)) {
      fullDays += 1;
      fullDayGuesses += log.length;
    }
    evaluated += log.length;
    if (log.some((g) => g.hit)) hits += 1;
  }
  const p = hits / trials;
  const z = 1.96;
  const centre = (p + (z * z) / (2 * trials)) / (1 + (z * z) / trials);
  const half =
    (z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials))) /
    (1 + (z * z) / trials);
  const space = alphabet.length ** 4;
  // A day without a hit shows how many verifications (of 5 guesses) the attacker gets.
  const perDay = fullDayGuesses / Math.max(1, fullDays) / 5;
  return {
    space,
    trials,
    hits,
    p,
    ci95: [centre - half, centre + half],
    meanGuesses: evaluated / trials,
    predicted: 1 - (1 - 5 / space) ** perDay,
    bound: Math.min(1, 50 / space),
  };
}

const started = performance.now();
const log = await greedy(DAYS);
const perDay = Array.from(
  { length: DAYS },
  (_, d) => log.filter((g) => g.at >= T0 + d * DAY && g.at < T0 + (d + 1) * DAY).length,
);
const worst = worstWindow(log);
console.log(`greedy attacker, ${DAYS} days, one phone, defaults, fresh IP per verification:`);
console.log(
  `  guesses evaluated per calendar day: ${perDay.join(', ')} (mean ${(log.length / DAYS).toFixed(1)})`,
);
console.log(
  `  worst rolling 24 h: ${worst} guesses -> P <= ${worst} / 10^6 = ${(worst / 1e6).toExponential(2)}`,
);
console.log(`  successful guesses: ${log.filter((g) => g.hit).length}`);
const crowded = await edge();
console.log('edge attacker (15 verifications around one rolling day, 4-guess trick):');
console.log(
  `  guesses evaluated in that 24 h: ${crowded} -> P <= ${(crowded / 1e6).toExponential(2)}`,
);
for (const alphabet of ['0123456789', '0123']) {
  const mc = await monteCarlo(TRIALS, alphabet);
  console.log(
    `Monte Carlo, 4 characters of "${alphabet}" (${mc.space} codes), ${mc.trials} phone-days:`,
  );
  console.log(
    `  mean guesses evaluated ${mc.meanGuesses.toFixed(2)}; successes ${mc.hits} -> ${mc.p.toExponential(3)} ` +
      `(95% CI ${mc.ci95.map((x) => x.toExponential(2)).join(' to ')}); ` +
      `predicted 1-(1-5/${mc.space})^verifications = ${mc.predicted.toExponential(3)}; ` +
      `bound 50/${mc.space} = ${mc.bound.toExponential(2)}`,
  );
}
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
