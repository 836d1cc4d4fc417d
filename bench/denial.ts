/**
 * Denial simulation (bounded, deterministic): attackers try to keep the owner of a number
 * from verifying it, with the default policy and abuse defenses (memory store, fake clock).
 * The owner (on an address of its own) starts and checks a verification every 3 hours.
 *
 * 1. One attacker key (one address), for 5 days, every 5 minutes: starts with the owner's
 *    purpose right after the owner (to supersede), starts with other purposes and fails
 *    them (to lock), checks wrong codes, resends and cancels against the owner's
 *    verifications (their ids are given to it: worse than a real leak) and by phone and
 *    purpose. Reported per day: attacker messages, owner attempts refused, and the hours in
 *    which a start from a requester key with nothing spent would be refused (phone locked or
 *    its send windows full: "denied").
 * 2. k attacker keys (k = 1..6), each starting and failing verifications as fast as it is
 *    allowed, for 5 days: the same figures, to show how many keys a longer denial costs.
 *
 * Run: npm run sim:denial [-- --days 5 --max-keys 6]
 */
import { memoryStore } from '../adapters/memory/index';
import { defaultPolicy } from '../src/core/policy';
import { startTransition } from '../src/core/send';
import { decodeState } from '../src/core/state';
import { createVerifier } from '../src/index';
import { keyring, phoneKey } from '../src/secrets';
import { outboxSender } from '../src/senders/outbox';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DAYS = Math.max(1, Math.min(arg('days', 5), 30));
const MAX_KEYS = Math.max(1, Math.min(arg('max-keys', 6), 12));
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 5);
const PHONE = '+12133734253';
const SECRET = 'denial-simulation-secret-0123456789abcdef';
const OWNER = { ip: '198.51.100.7' };
const OWNER_EVERY = 3 * HOUR;
const PURPOSE = 'login';

const wrongOf = (code: string) =>
  (code[0] === '9' ? '0' : String(Number(code[0]) + 1)) + code.slice(1);

function world() {
  const clock = { now: T0 };
  const store = memoryStore({ now: () => clock.now });
  const outbox = outboxSender();
  const verifier = createVerifier({
    secret: SECRET,
    store,
    sender: outbox,
    now: () => clock.now,
  });
  const key = `phone:${phoneKey(keyring(SECRET), PHONE)}`;
  /** Whether a start from a requester key with nothing spent would be refused now. */
  const denied = async (): Promise<boolean> => {
    const state = decodeState(await store.get(key));
    const probe = {
      id: 'probe',
      purpose: PURPOSE,
      channel: 'sms' as const,
      digest: '',
      to: '',
      sealed: '',
      by: 'probe.0000000000000000',
    };
    return startTransition(state, probe, clock.now, defaultPolicy).decision.isErr();
  };
  return { clock, outbox, verifier, denied };
}

interface DayFigures {
  attackerMessages: number;
  ownerAttempts: number;
  ownerRefused: number;
  deniedMinutes: number;
}

const newDay = (): DayFigures => ({
  attackerMessages: 0,
  ownerAttempts: 0,
  ownerRefused: 0,
  deniedMinutes: 0,
});

type World = ReturnType<typeof world>;
type Attacker = (w: World, ownerIds: readonly string[], day: DayFigures) => Promise<void>;

/** One owner attempt: start, then the right code a minute later. Refused if either refuses. */
async function ownerAttempt(w: World, ids: string[], day: DayFigures): Promise<void> {
  day.ownerAttempts += 1;
  const s = await w.verifier.start({ phone: PHONE, purpose: PURPOSE, context: OWNER });
  if (s.isErr()) {
    day.ownerRefused += 1;
    return;
  }
  ids.push(s.value.id);
  const code = w.outbox.last()!.code;
  w.clock.now += MIN;
  const c = await w.verifier.check({ id: s.value.id, code, context: OWNER });
  if (c.isErr()) day.ownerRefused += 1;
}

async function run(attack: Attacker, stepMs: number): Promise<DayFigures[]> {
  const w = world();
  const days = Array.from({ length: DAYS }, newDay);
  const ownerIds: string[] = [];
  let nextOwner = T0 + HOUR;
  let nextAttack = T0;
  for (let minute = T0; minute < T0 + DAYS * DAY; minute += MIN) {
    const day = days[Math.floor((minute - T0) / DAY)]!;
    w.clock.now = minute;
    if (minute >= nextAttack) {
      const before = w.outbox.messages.length;
      await attack(w, ownerIds, day);
      day.attackerMessages += w.outbox.messages.length - before;
      nextAttack += stepMs;
    }
    w.clock.now = Math.max(w.clock.now, minute);
    if (minute >= nextOwner) {
      await ownerAttempt(w, ownerIds, day);
      nextOwner += OWNER_EVERY;
    }
    w.clock.now = Math.max(w.clock.now, minute);
    // Probed every 5 minutes (each probe decodes the record).
    if ((minute - T0) % (5 * MIN) === 0 && (await w.denied())) day.deniedMinutes += 5;
  }
  return days;
}

/** Scenario 1: everything one key can try, in turn. */
function oneKey(): Attacker {
  const ctx = { ip: '203.0.113.66' };
  let turn = 0;
  let n = 0;
  return async (w, ownerIds) => {
    turn += 1;
    const owner = ownerIds[ownerIds.length - 1];
    switch (turn % 4) {
      case 0: {
        // Supersede: a start with the owner's purpose.
        await w.verifier.start({ phone: PHONE, purpose: PURPOSE, context: ctx });
        break;
      }
      case 1: {
        // Lock: a start with another purpose, failed with wrong codes.
        n += 1;
        const s = await w.verifier.start({ phone: PHONE, purpose: `other-${n}`, context: ctx });
        if (s.isOk()) {
          const bad = wrongOf(w.outbox.last()!.code);
          for (let i = 0; i < 5; i += 1) {
            await w.verifier.check({ id: s.value.id, code: bad, context: ctx });
          }
        }
        break;
      }
      case 2: {
        // Spend the owner's checks: by phone and purpose, and by its (leaked) id.
        await w.verifier.check({ phone: PHONE, purpose: PURPOSE, code: '000000', context: ctx });
        if (owner) await w.verifier.check({ id: owner, code: '000000', context: ctx });
        break;
      }
      default: {
        if (owner) {
          await w.verifier.resend({ id: owner, context: ctx });
          await w.verifier.cancel({ id: owner, context: ctx });
        }
      }
    }
  };
}

/** Scenario 2: `k` keys, each starting and failing verifications whenever it may. */
function manyKeys(k: number): Attacker {
  const keys = Array.from({ length: k }, (_, i) => ({ ip: `203.0.113.${10 + i}` }));
  let n = 0;
  return async (w) => {
    for (const ctx of keys) {
      n += 1;
      const s = await w.verifier.start({ phone: PHONE, purpose: `other-${n}`, context: ctx });
      if (s.isErr()) continue;
      const bad = wrongOf(w.outbox.last()!.code);
      for (let i = 0; i < 5; i += 1) {
        await w.verifier.check({ id: s.value.id, code: bad, context: ctx });
      }
    }
  };
}

const hours = (m: number) => (m / 60).toFixed(2);
const sum = (days: DayFigures[], f: (d: DayFigures) => number) =>
  days.reduce((a, d) => a + f(d), 0);

const started = performance.now();
const one = await run(oneKey(), 5 * MIN);
console.log(
  `one attacker key, ${DAYS} days, defaults; the owner (another address) tries every 3 hours:`,
);
one.forEach((d, i) => {
  console.log(
    `  day ${i + 1}: attacker messages ${d.attackerMessages}, owner attempts refused ${d.ownerRefused} of ${d.ownerAttempts}, hours denied ${hours(d.deniedMinutes)}`,
  );
});
console.log(
  `  total: attacker messages ${sum(one, (d) => d.attackerMessages)}, owner attempts refused ${sum(one, (d) => d.ownerRefused)} of ${sum(one, (d) => d.ownerAttempts)}, worst day denied ${hours(Math.max(...one.map((d) => d.deniedMinutes)))} h`,
);
console.log(`k attacker keys, each starting and failing verifications as fast as allowed:`);
for (let k = 1; k <= MAX_KEYS; k += 1) {
  const days = await run(manyKeys(k), MIN);
  const worst = Math.max(...days.map((d) => d.deniedMinutes));
  console.log(
    `  k=${k}: hours denied per day ${days.map((d) => hours(d.deniedMinutes)).join(', ')} (worst ${hours(worst)}); owner attempts refused ${sum(days, (d) => d.ownerRefused)} of ${sum(days, (d) => d.ownerAttempts)}; attacker messages ${sum(days, (d) => d.attackerMessages)}`,
  );
}
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
