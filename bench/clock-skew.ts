/**
 * What a clock skew between two instances does today (docs/operations.md, "Clocks"): two
 * verifiers on one store, instance B's clock `skew` ms off the true time, instance A right.
 * Measured with simulated time (no waiting), default policy unless said:
 * - sends: one start per true minute for two true hours, alternating A and B, with
 *   `resendCooldownMs: 0` so that only the send windows (5 per hour, 10 per day) count; the
 *   most sends accepted in any true hour.
 * - code lifetime: a code sent by A and entered on B: the oldest true age (15 s steps) at
 *   which B still approves it (10 min by policy).
 * Run: node bench/lib/run.mjs bench/clock-skew.ts
 */
import { memoryStore } from '../adapters/memory/store';
import type { PolicyOptions } from '../src/core/policy';
import { createVerifier } from '../src/index';
import { outboxSender } from '../src/senders/outbox';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);

function pair(skew: number, policy: PolicyOptions = {}) {
  let t = T0;
  const store = memoryStore({ now: () => t });
  const outbox = outboxSender();
  const make = (offset: number) =>
    createVerifier({
      secret: 'skew-secret-skew-secret-skew-secret!!',
      store,
      sender: outbox,
      now: () => t + offset,
      policy,
      ...({ abuse: false } as object),
    });
  return {
    a: make(0),
    b: make(skew),
    outbox,
    at: (x: number) => {
      t = x;
    },
  };
}

async function sendsPerHour(skew: number): Promise<number> {
  const p = pair(skew, { resendCooldownMs: 0 });
  const accepted: number[] = [];
  for (let m = 0; m < 120; m += 1) {
    p.at(T0 + m * MIN);
    const v = m % 2 === 0 ? p.a : p.b;
    if ((await v.start({ phone: '+12133734253' })).isOk()) accepted.push(m);
  }
  let most = 0;
  for (const start of accepted)
    most = Math.max(most, accepted.filter((x) => x >= start && x < start + 60).length);
  return most;
}

async function codeLifetimeMs(skew: number): Promise<number> {
  let oldest = -1;
  for (let age = 0; age <= 60 * MIN; age += 15_000) {
    const p = pair(skew);
    p.at(T0);
    const s = (await p.a.start({ phone: '+12133734253' }))._unsafeUnwrap();
    p.at(T0 + age);
    if ((await p.b.check({ id: s.id, code: p.outbox.last()!.code })).isOk()) oldest = age;
  }
  return oldest;
}

console.log(
  'skew of B      most sends in a true hour (limit 5)   code accepted on B up to (policy 10 min)',
);
for (const skew of [0, 5_000, -5_000, 2 * MIN, -2 * MIN, 30 * MIN, -30 * MIN, -70 * MIN]) {
  const sends = await sendsPerHour(skew);
  const life = await codeLifetimeMs(skew);
  const label = `${skew >= 0 ? '+' : '-'}${Math.abs(skew) / 1000} s`;
  console.log(
    `${label.padEnd(14)} ${String(sends).padEnd(38)} ${life < 0 ? 'never' : `${life / 1000} s`}`,
  );
}
