/**
 * The senders' `retry` option as an amplifier: while the provider fails in ways that are
 * retried (5xx, a reset connection, 429 with a short `Retry-After`, a timeout that may have
 * delivered), every counted send becomes several provider requests, each possibly a billed
 * message. An attacker starting verifications for victims' numbers from many addresses
 * (X-Forwarded-For through a trusted loopback proxy, as in phone-denial.test.ts) tries to turn
 * that into unbounded sends or cost.
 *
 * What the code does (src/senders/retry.ts, src/verifier/send.ts, src/abuse/hooks.ts), and so
 * what is held here over real sockets on every framework, with `twilioSender` against the
 * loopback Twilio fake:
 * - a send is tried at most `retry.attempts` times (1 to 10, checked at construction);
 * - the tries of one send are one send for the phone's send windows and the requester's share
 *   (decided before the first request), and a send that fails (`delivery_failed`) keeps its
 *   place in the windows and its abuse budget reservations: failing sends are not free;
 * - so a phone receives at most `sendWindows` × `attempts` provider requests (5 × 3 an hour
 *   by default), and an address's budget bounds the numbers it reaches the same way;
 * - a `Retry-After` beyond `maxRetryAfterMs` and a permanent failure are not retried.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { twilioSender } from '../../adapters/twilio/index';
import { createVerifier, type VerifierOptions } from '../../src/index';
import type { Reply } from '../fakes/server';
import { startTwilioFake, TWILIO_ERRORS, type TwilioFake } from '../fakes/twilio';
import { call } from '../http/kit';
import type { Running } from '../http/servers';
import { FRAMEWORKS } from './support';

const SID = `AC${'c3'.repeat(16)}`;
const TOKEN = 'twilio-auth-token-retry-adversary-0123';
const FROM = '+15005550006';
const VICTIM = '+12133734253';
const ATTEMPTS = 3;

/** Every retried failure kind, in turn: 5xx, a reset, 429 asking 0 s, a hang (timeout). */
const FLAKY: readonly Reply[] = [
  TWILIO_ERRORS.serverError,
  { status: 0, reset: true },
  TWILIO_ERRORS.tooManyRequests(0),
  { status: 0, hang: true },
];

let fake: TwilioFake;
let running: Running | undefined;
beforeEach(async () => {
  fake = await startTwilioFake({ accountSid: SID, authToken: TOKEN, numbers: [FROM] });
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await fake.close();
});

/** A provider that fails every request (retryably) for the next `n` requests. */
function failNext(n: number) {
  for (let i = 0; i < n; i += 1) fake.queue(FLAKY[i % FLAKY.length]!);
}

function sender(retry: Record<string, unknown> = {}) {
  return twilioSender({
    accountSid: SID,
    authToken: TOKEN,
    from: FROM,
    baseUrl: fake.url,
    timeoutMs: 150,
    retry: { attempts: ATTEMPTS, sleep: async () => {}, ...retry },
  });
}

describe.each(FRAMEWORKS)('%s: retries against a failing provider', (_name, mount) => {
  async function serve(extra: Partial<VerifierOptions> = {}) {
    const verifier = createVerifier({
      secret: 'sender-retry-adversary-secret-0123456789',
      store: memoryStore(),
      sender: sender(),
      ...extra,
    });
    running = await mount(verifier, {}, { trustProxy: '127.0.0.1' });
    const base = running.base;
    return (ip: string, phone = VICTIM) =>
      call(`${base}/verifications`, {
        method: 'POST',
        headers: { 'x-forwarded-for': ip },
        json: { phone },
      });
  }

  it('a phone gets at most sendWindows × attempts provider requests: failed sends keep their window', async () => {
    const start = await serve();
    failNext(100);
    const answers: number[] = [];
    const perStart: number[] = [];
    // 12 starts for one number from 4 addresses (each may take 3 of the phone's sends a day).
    for (let i = 0; i < 12; i += 1) {
      const before = fake.requests.length;
      const r = await start(`203.0.113.${10 + (i % 4)}`);
      answers.push(r.status);
      perStart.push(fake.requests.length - before);
    }
    // The phone's hour window (5) is spent by failed sends as by delivered ones.
    expect(answers.filter((s) => s === 502)).toHaveLength(5);
    expect(answers.slice(5).every((s) => s === 429)).toBe(true);
    expect(perStart).toEqual([...Array(5).fill(ATTEMPTS), ...Array(7).fill(0)]);
    expect(fake.requests.length).toBe(5 * ATTEMPTS);
    // Every try was the same message: one code, one send tag (the attempts fold into one).
    const bodies = new Set(fake.requests.slice(0, ATTEMPTS).map((q) => q.body));
    expect(bodies.size).toBe(1);
  });

  it("an address's budget is spent by failed sends too: retries reach no more numbers", async () => {
    const start = await serve({
      abuse: { requesters: { ip: { destinations: [{ windowMs: 3_600_000, max: 3 }] } } },
    });
    failNext(100);
    const numbers = ['+12133734250', '+12133734251', '+12133734252', '+12133734253'];
    const answers: number[] = [];
    for (const phone of numbers) answers.push((await start('198.51.100.9', phone)).status);
    expect(answers).toEqual([502, 502, 502, 429]);
    expect(fake.requests.length).toBe(3 * ATTEMPTS);
  });

  it('a long Retry-After and a permanent failure are not retried; a recovered provider answers once', async () => {
    const start = await serve();
    fake.queue(TWILIO_ERRORS.tooManyRequests(3600));
    expect((await start('192.0.2.1')).status).toBe(502);
    expect(fake.requests.length).toBe(1);
    fake.queue(TWILIO_ERRORS.invalidTo);
    expect((await start('192.0.2.2', '+14155552671')).status).not.toBe(201);
    expect(fake.requests.length).toBe(2);
    failNext(ATTEMPTS - 1);
    expect((await start('192.0.2.3', '+14155552672')).status).toBe(201);
    expect(fake.requests.length).toBe(2 + ATTEMPTS);
  });
});

describe('retry options: the amplification is bounded at construction', () => {
  it('more than 10 tries, or a fractional or negative count, is refused', () => {
    for (const attempts of [11, 100, 2.5, 0, -1]) {
      expect(() => sender({ attempts })).toThrow(/attempts must be a whole number from 1 to 10/);
    }
    expect(() => sender({ attempts: 10 })).not.toThrow();
  });
});
