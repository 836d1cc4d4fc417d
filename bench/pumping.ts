/**
 * SMS pumping simulation (bounded): an attacker rotating 1,000 IPs requests codes for
 * 10,000 numbers of one premium-rate range, mixed with a day of ordinary users, against the
 * real verifier (memory store, fake clock). Counts the attack messages that leave before the
 * defaults stop them and the ordinary users who are refused. Deterministic (seeded).
 * Run: npm run sim:pumping [-- --legit 5000 --attack 10000 --ips 1000 --seed 7]
 */
import { memoryStore } from '../adapters/memory/index';
import type { AbuseOptions } from '../src/abuse/types';
import { createVerifier, normalizePhone, type VerifyError } from '../src/index';
import { outboxSender } from '../src/senders/outbox';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const LEGIT = Math.min(arg('legit', 5_000), 50_000);
const ATTACK = Math.min(arg('attack', 10_000), 100_000);
const IPS = Math.min(arg('ips', 1_000), 65_000);
const SEED = arg('seed', 7);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 5);

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

const digits = (r: () => number, n: number) =>
  Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
const AREA = ['212', '213', '310', '312', '415', '617', '646', '702', '718', '917', '305', '404'];
/** Mobile-number shapes per country, with the share of ordinary users from each. */
const COUNTRIES: Array<[share: number, make: (r: () => number) => string]> = [
  [0.4, (r) => `+1${AREA[Math.floor(r() * AREA.length)]}${2 + Math.floor(r() * 8)}${digits(r, 6)}`],
  [0.15, (r) => `+447${4 + Math.floor(r() * 6)}${digits(r, 8)}`],
  [0.1, (r) => `+49151${digits(r, 8)}`],
  [0.1, (r) => `+336${digits(r, 8)}`],
  [0.1, (r) => `+91${6 + Math.floor(r() * 4)}${digits(r, 9)}`],
  [0.1, (r) => `+55119${digits(r, 8)}`],
  [0.05, (r) => `+3712${digits(r, 7)}`],
];

function legitNumber(r: () => number): string {
  for (;;) {
    const x = r();
    let acc = 0;
    const make =
      COUNTRIES.find(([share]) => {
        acc += share;
        return x < acc;
      })?.[1] ?? COUNTRIES[0]![1];
    const n = make(r);
    if (normalizePhone(n).isOk()) return n;
  }
}

/** `count` distinct valid numbers drawn from one range (`head` followed by `free` digits). */
function rangeNumbers(r: () => number, head: string, free: number, count: number): string[] {
  const out = new Set<string>();
  while (out.size < count) {
    const n = head + digits(r, free);
    if (!out.has(n) && normalizePhone(n).isOk()) out.add(n);
  }
  return [...out];
}

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly run: () => Promise<void>;
}

/** A tiny binary min-heap of timed events. */
class Queue {
  private h: Event[] = [];
  private seq = 0;
  push(at: number, run: () => Promise<void>) {
    this.h.push({ at, seq: this.seq++, run });
    let i = this.h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(p, i)) break;
      [this.h[p], this.h[i]] = [this.h[i]!, this.h[p]!];
      i = p;
    }
  }
  pop(): Event | undefined {
    const top = this.h[0];
    const last = this.h.pop()!;
    if (this.h.length > 0) {
      this.h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        let m = i;
        if (l < this.h.length && this.less(l, m)) m = l;
        if (l + 1 < this.h.length && this.less(l + 1, m)) m = l + 1;
        if (m === i) break;
        [this.h[m], this.h[i]] = [this.h[i]!, this.h[m]!];
        i = m;
      }
    }
    return top;
  }
  private less(a: number, b: number) {
    const x = this.h[a]!;
    const y = this.h[b]!;
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }
}

interface Scenario {
  readonly name: string;
  readonly abuse?: AbuseOptions | false;
  /** The attacker's numbers and how long it takes to try them all. */
  readonly attack: { readonly head: string; readonly free: number; readonly overMs: number };
}

const isAbuse = (e: VerifyError) => e.scope !== undefined && e.scope !== 'phone';

async function simulate(s: Scenario) {
  const r = prng(SEED);
  let now = T0;
  const outbox = outboxSender();
  const verifier = createVerifier({
    secret: 'pumping-simulation-secret-0123456789abcdef',
    store: memoryStore({ now: () => now }),
    sender: outbox,
    now: () => now,
    ...(s.abuse !== undefined ? { abuse: s.abuse } : {}),
  });
  const q = new Queue();
  const attackNumbers = rangeNumbers(r, s.attack.head, s.attack.free, ATTACK);
  const attackSet = new Set(attackNumbers);
  const attackRefusals: Record<string, number> = {};
  attackNumbers.forEach((phone, i) => {
    const ip = `45.${(i % IPS) >> 8}.${(i % IPS) & 255}.${1 + ((i * 7) % 250)}`;
    q.push(T0 + Math.floor((i / ATTACK) * s.attack.overMs), async () => {
      const res = await verifier.start({ phone, context: { ip } });
      if (res.isErr()) {
        const k = `${res.error.code}/${res.error.scope ?? '-'}`;
        attackRefusals[k] = (attackRefusals[k] ?? 0) + 1;
      }
    });
  });

  const stats = { users: 0, refused: 0, unverified: 0, verified: 0, abandoned: 0 };
  const refusedBy: Record<string, number> = {};
  const cgnat = Array.from({ length: 50 }, (_, i) => `100.64.${i}.1`);
  for (let u = 0; u < LEGIT; u += 1) {
    const phone = legitNumber(r);
    const x = r();
    const ip =
      x < 0.8
        ? `${11 + Math.floor(r() * 180)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`
        : x < 0.9
          ? cgnat[Math.floor(r() * cgnat.length)]!
          : `2a02:${Math.floor(r() * 65535).toString(16)}:${u.toString(16)}:1`;
    const v6 = ip.includes(':');
    const context = () => ({
      ip: v6
        ? `${ip}:${Math.floor(r() * 65535).toString(16)}::${Math.floor(r() * 65535).toString(16)}`
        : ip,
      ...(u % 2 === 0 ? { deviceId: `device-${u}` } : {}),
    });
    const intent = r();
    const delay = 20_000 + Math.floor(r() * 100_000);
    let refused = false;
    const note = (e: VerifyError) => {
      if (!isAbuse(e)) return;
      refused = true;
      const k = `${e.code}/${e.scope}`;
      refusedBy[k] = (refusedBy[k] ?? 0) + 1;
    };
    stats.users += 1;
    const finish = (ok: boolean) => {
      if (refused) stats.refused += 1;
      if (ok) stats.verified += 1;
      else if (intent < 0.95) stats.unverified += 1;
      else stats.abandoned += 1;
    };
    const attempt = async (retries: number) => {
      const st = await verifier.start({ phone, context: context() });
      if (st.isErr()) {
        note(st.error);
        const wait = st.error.retryAfter;
        if (retries > 0 && wait !== undefined && wait <= 300)
          q.push(now + wait * 1000, () => attempt(retries - 1));
        else finish(false);
        return;
      }
      const id = st.value.id;
      const codeOf = () => outbox.messages.findLast((m) => m.verificationId === id)!.code;
      const check = async (code: string) => {
        const c = await verifier.check({ id, code, context: context() });
        if (c.isErr()) note(c.error);
        return c.isOk();
      };
      if (intent >= 0.95) return finish(false); // abandons
      if (intent >= 0.88) {
        // asks for the code again, then types it
        q.push(now + 45_000, async () => {
          const re = await verifier.resend({ id, context: context() });
          if (re.isErr()) note(re.error);
          q.push(now + 30_000, async () => finish(await check(codeOf())));
        });
        return;
      }
      q.push(now + delay, async () => {
        if (intent >= 0.8 && !(await check(codeOf() === '000000' ? '111111' : '000000'))) {
          q.push(now + 15_000, async () => finish(await check(codeOf())));
          return;
        }
        finish(await check(codeOf()));
      });
    };
    q.push(T0 + Math.floor(r() * DAY), () => attempt(1));
  }

  for (let e = q.pop(); e; e = q.pop()) {
    now = e.at;
    await e.run();
  }
  const attackSent = outbox.messages.filter((m) => attackSet.has(m.to)).length;
  return {
    scenario: s.name,
    attackAttempts: ATTACK,
    attackSent,
    attackRefusals,
    legitUsers: stats.users,
    legitMessages: outbox.messages.length - attackSent,
    legitVerified: stats.verified,
    legitRefused: stats.refused,
    legitRefusedPct: Number(((100 * stats.refused) / stats.users).toFixed(3)),
    legitUnverified: stats.unverified,
    legitRefusedBy: refusedBy,
  };
}

const maxMetadata = (await import('libphonenumber-js/metadata.max.json')).default;
const scenarios: Scenario[] = [
  {
    name: 'no defenses (abuse: false), burst over 2 h',
    abuse: false,
    attack: { head: '+449098', free: 6, overMs: 2 * HOUR },
  },
  { name: 'defaults, burst over 2 h', attack: { head: '+449098', free: 6, overMs: 2 * HOUR } },
  { name: 'defaults, slow over 24 h', attack: { head: '+449098', free: 6, overMs: DAY } },
  {
    name: 'defaults + numberTypes (max metadata), burst',
    abuse: { numberTypes: { metadata: maxMetadata } },
    attack: { head: '+449098', free: 6, overMs: 2 * HOUR },
  },
  {
    name: 'defaults, spread over a whole mobile range (+371 2x), 24 h',
    attack: { head: '+3712', free: 7, overMs: DAY },
  },
  {
    name: 'spread as above, conversion.threshold 0.3 (for apps converting well above 30%)',
    abuse: { conversion: { threshold: 0.3 } },
    attack: { head: '+3712', free: 7, overMs: DAY },
  },
];

console.log(
  `pumping simulation: ${LEGIT} ordinary users over 24 h, ${ATTACK} attack numbers from ${IPS} IPs, seed ${SEED}`,
);
const rows = [];
for (const s of scenarios) {
  const started = performance.now();
  const res = await simulate(s);
  rows.push(res);
  console.log(
    JSON.stringify({ ...res, seconds: Number(((performance.now() - started) / 1000).toFixed(1)) }),
  );
}
console.log(
  '\n| scenario | attack messages sent (of attempts) | ordinary users refused | refused, never verified |',
);
console.log('|---|---|---|---|');
for (const x of rows) {
  console.log(
    `| ${x.scenario} | ${x.attackSent} of ${x.attackAttempts} | ${x.legitRefused} of ${x.legitUsers} (${x.legitRefusedPct}%) | ${x.legitUnverified} |`,
  );
}
// --- Denial: pausing a prefix or a country for its owners -------------------------------

const GERMAN_HEAD = '+49151';
/** German mobile numbers, each in its own 6-digit prefix (`+49 151nn`). */
const germanSpread = (r: () => number, n: number) =>
  Array.from(
    { length: n },
    (_, i) => `${GERMAN_HEAD}${String(i % 100).padStart(2, '0')}${digits(r, 6)}`,
  );
/** German mobile numbers in one 6-digit prefix (`+49 15123`), spread over its 4-digit prefixes. */
const germanBlock = (r: () => number, n: number) =>
  Array.from({ length: n }, (_, i) => `${GERMAN_HEAD}23${i % 10}${digits(r, 5)}`);

function denialVerifier(abuse: AbuseOptions | undefined, clock: { now: number }) {
  const outbox = outboxSender();
  const verifier = createVerifier({
    secret: 'pumping-simulation-secret-0123456789abcdef',
    store: memoryStore({ now: () => clock.now }),
    sender: outbox,
    now: () => clock.now,
    ...(abuse !== undefined ? { abuse } : {}),
  });
  return { verifier, outbox };
}

/**
 * Whether `messages` unchecked starts from `ips` addresses pause the scope: the next start,
 * after the grace period and the bucket, from a fresh address is refused `destination_paused`.
 */
async function pauses(scope: 'prefix' | 'country', ips: number, messages: number) {
  const r = prng(SEED + ips);
  const clock = { now: T0 };
  const { verifier } = denialVerifier(undefined, clock);
  const numbers = scope === 'prefix' ? germanBlock(r, messages + 1) : germanSpread(r, messages + 1);
  let sent = 0;
  for (let i = 0; i < messages; i += 1) {
    const res = await verifier.start({
      phone: numbers[i]!,
      context: { ip: `203.0.113.${1 + (i % ips)}` },
    });
    if (res.isOk()) sent += 1;
  }
  clock.now += 40 * MIN;
  const probe = await verifier.start({
    phone: numbers[messages]!,
    context: { ip: '198.51.100.1' },
  });
  return { paused: probe.isErr() && probe.error.code === 'destination_paused', sent };
}

/** The fewest attacker addresses (and their messages) that pause the scope under the defaults. */
async function costToPause(scope: 'prefix' | 'country') {
  const messages = scope === 'prefix' ? 15 : 50;
  for (let ips = 1; ips <= 40; ips += 1) {
    const p = await pauses(scope, ips, messages);
    if (p.paused) return { scope, requestersNeeded: ips, messages: p.sent };
  }
  return { scope, requestersNeeded: Number.POSITIVE_INFINITY, messages };
}

/**
 * The scenario: 12 owners an hour start (and verify) German numbers for 48 h; an
 * attacker starts 50 verifications to German numbers from 2 IPs at once and types no code;
 * then it tries 3 starts (the probe slots) as soon as it may: at each refusal's `retryAfter`
 * (first in line when a pause ends), 20 minutes after 3 went out (when they are judged), 10
 * minutes after a refusal without a retry time.
 */
async function twoIpCountry(abuse: AbuseOptions | undefined) {
  const r = prng(SEED);
  const clock = { now: T0 };
  const { verifier, outbox } = denialVerifier(abuse, clock);
  const q = new Queue();
  const attackIps = ['203.0.113.1', '203.0.113.2'];
  let attackSent = 0;
  let next = 0;
  const numbers = germanSpread(r, 5_000);
  const end = T0 + 2 * DAY;
  const attackStart = async (ip: string) => {
    const res = await verifier.start({ phone: numbers[next++ % numbers.length]!, context: { ip } });
    if (res.isOk()) attackSent += 1;
    return res;
  };
  // Three starts (the probe slots); then again at the refusal's retry time, or once the
  // probes can be judged (20 minutes), or in 10 minutes when refused without a retry time.
  const round = async () => {
    let wait = 20 * MIN;
    for (let i = 0; i < 3; i += 1) {
      const res = await attackStart(attackIps[i % 2]!);
      if (res.isErr()) {
        wait = (res.error.retryAfter ?? 600) * 1000;
        break;
      }
    }
    if (clock.now + wait < end) q.push(clock.now + wait, round);
  };
  q.push(T0, async () => {
    for (let i = 0; i < 50; i += 1) await attackStart(attackIps[i % 2]!);
    q.push(clock.now + 20 * MIN, round);
  });
  const owners = { users: 0, refused: 0 };
  for (let u = 0; u < 12 * 48; u += 1) {
    const at = T0 + Math.floor((u / (12 * 48)) * 2 * DAY) + Math.floor(r() * 5 * MIN);
    const phone = `${GERMAN_HEAD}${digits(r, 8)}`;
    const ip = `${11 + Math.floor(r() * 180)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.7`;
    q.push(at, async () => {
      owners.users += 1;
      const st = await verifier.start({ phone, context: { ip } });
      if (st.isErr()) {
        if (isAbuse(st.error)) owners.refused += 1;
        return;
      }
      const id = st.value.id;
      q.push(clock.now + 30_000, async () => {
        const code = outbox.messages.findLast((m) => m.verificationId === id)!.code;
        await verifier.check({ id, code, context: { ip } });
      });
    });
  }
  for (let e = q.pop(); e; e = q.pop()) {
    clock.now = e.at;
    await e.run();
  }
  return { ownersRefused: owners.refused, owners: owners.users, attackSent };
}

console.log('\nDenial: what it costs an attacker to pause a prefix or a country (defaults)');
for (const scope of ['prefix', 'country'] as const) {
  const c = await costToPause(scope);
  console.log(
    `| pause a ${scope} | ${c.requestersNeeded} distinct requesters (IPv4 addresses or IPv6 /64s) | ${c.messages} unchecked messages |`,
  );
}
console.log(
  '(then, to keep it paused: the requesters that tripped a pause take no probe and a requester takes one probe at most, so each further pause needs `probes` (3) more fresh requesters, each with an unchecked message)',
);
const before = await twoIpCountry({ conversion: { minRequesters: 1 } });
const after = await twoIpCountry(undefined);
console.log(
  '\nThe issue: Germany, 12 owners an hour over 48 h; 50 unchecked starts from 2 IPs, then 3 more whenever a pause ends',
);
console.log('| rule | owners refused | attack messages sent |');
console.log('|---|---|---|');
console.log(
  `| minRequesters 1 (one requester may pause; those that tripped it still take no probe) | ${before.ownersRefused} of ${before.owners} | ${before.attackSent} |`,
);
console.log(
  `| defaults (minRequesters 10) | ${after.ownersRefused} of ${after.owners} | ${after.attackSent} |`,
);

const main = rows[1]!;
const ok = main.attackSent <= 50 && main.legitRefusedPct < 1;
console.log(
  `\ntarget (defaults, burst): <= 50 attack messages and < 1% ordinary users refused: ${ok ? 'met' : 'NOT met'}`,
);
console.log(
  `target (2-IP country denial): no owner refused by the guard: ${after.ownersRefused === 0 ? 'met' : 'NOT met'}`,
);
