/**
 * The cost of `redisStore`'s `durability` option: a private primary and one replica on
 * loopback (BENCH_LAG_MS adds that much one-way delay on the replication link, as across
 * zones), the same verifier on a store with and without `durability: { replicas: 1 }`, in
 * interleaved rounds of the same run. Measured: median latency of a sequential `check` (a
 * wrong guess, evaluated and written: one write), a sequential `start` (the verification
 * record written before the send, then nothing else with `abuse: false`), and checks per
 * second with 100 in flight.
 * Run: node bench/lib/run.mjs bench/redis-durable.ts
 */
import { Redis } from 'ioredis';
import { redisStore } from '../adapters/redis/index';
import { createVerifier, type Verifier } from '../src/index';
import { outboxSender } from '../src/senders/outbox';
import { startReplicated } from '../test/load/replicas';
import { median } from './lib/measure';

const lag = Number(process.env.BENCH_LAG_MS ?? 0);
const ROUNDS = 5;
const PER_ROUND = 300;
const IN_FLIGHT = 100;

const r = await startReplicated({ replicas: 1, delayMs: lag, sentinel: false });
const client = new Redis(r.primaryPort, '127.0.0.1', { maxRetriesPerRequest: 1 });
const outbox = outboxSender();
const make = (durable: boolean): Verifier =>
  createVerifier({
    secret: 'bench-secret-bench-secret-bench-secret',
    store: redisStore({
      client,
      prefix: 'bench-durable:',
      ...(durable ? { durability: { replicas: 1, timeoutMs: 1_000 } } : {}),
    }),
    sender: outbox,
    policy: { resendCooldownMs: 0 },
    ...({ abuse: false } as object),
  });

let phoneSeq = 0;
const phone = () => `+1213${String(5_000_000 + (phoneSeq++ % 1_000_000)).padStart(7, '0')}`;

async function latency(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < PER_ROUND; i += 1) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function throughput(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  let n = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let i = 0; i < 10; i += 1) {
        await fn();
        n += 1;
      }
    }),
  );
  return (n / (performance.now() - t)) * 1000;
}

const result: Record<string, Record<string, number[]>> = { off: {}, on: {} };
const push = (mode: string, what: string, x: number) => {
  result[mode]![what] ??= [];
  result[mode]![what]!.push(x);
};

try {
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const mode of round % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
      const v = make(mode === 'on');
      // Each verification takes its 5 wrong checks (each one evaluated and written), then
      // the next one: (300 sequential + 1000 in flight) / 5 verifications per round.
      const ids: string[] = [];
      for (let i = 0; i < (PER_ROUND + IN_FLIGHT * 10) / 5; i += 1) {
        ids.push((await v.start({ phone: phone() }))._unsafeUnwrap().id);
      }
      let k = 0;
      const check = async () => {
        const res = await v.check({ id: ids[Math.floor(k++ / 5)]!, code: '000000' });
        if (res.isOk() || res.error.code !== 'code_mismatch')
          throw new Error(`not a counted check: ${res.isOk() ? 'approved' : res.error.code}`);
      };
      push(mode, 'check ms', await latency(check));
      push(
        mode,
        'start ms',
        await latency(async () => (await v.start({ phone: phone() }))._unsafeUnwrap()),
      );
      push(mode, 'check/s, 100 in flight', await throughput(check));
    }
  }
  console.log(`redisStore durability, primary + 1 replica on loopback, ${lag} ms added lag`);
  for (const what of Object.keys(result.off!)) {
    const off = median(result.off![what]!);
    const on = median(result.on![what]!);
    console.log(
      `${what.padEnd(24)} off ${off.toFixed(3).padStart(9)}  on ${on.toFixed(3).padStart(9)}  on/off ${(on / off).toFixed(2)}x`,
    );
  }
} finally {
  client.disconnect();
  await r.dispose();
}
