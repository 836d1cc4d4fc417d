/**
 * Attack: read numbers and codes from the failover chain's events. `failoverSender`'s
 * `onEvent` (`provider_failed`, `circuit_opened`, `circuit_closed`) feeds the same logs as
 * `onEvent` of the verifier, readable by a co-tenant with log access. Twilio's error bodies
 * echo the number ("The 'To' phone number: +15005550002, is not currently reachable…"), so a
 * chain that forwarded provider text would leak it. Over real sockets on every framework,
 * with `twilioSender` against the loopback Twilio fake as the first member: the events (and
 * the verifier's) name the provider, the reason and its code, never the number, its digits
 * or the code.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { twilioSender } from '../../adapters/twilio/index';
import { createVerifier, failoverSender } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { startTwilioFake, TWILIO_ERRORS, type TwilioFake } from '../fakes/twilio';
import { call } from '../http/kit';
import type { Running } from '../http/servers';
import { FRAMEWORKS } from './support';

const SID = `AC${'d4'.repeat(16)}`;
const TOKEN = 'twilio-auth-token-failover-adversary-01';
const FROM = '+15005550006';
/** Twilio's magic "not reachable from this From" number: its error text echoes it. */
const UNROUTABLE = '+15005550002';

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

describe.each(FRAMEWORKS)('%s: failover events', (_name, mount) => {
  it('provider_failed and circuit events carry no number, digits or code', async () => {
    const events: unknown[] = [];
    const outbox = outboxSender();
    const sender = failoverSender(
      [
        twilioSender({
          accountSid: SID,
          authToken: TOKEN,
          from: FROM,
          baseUrl: fake.url,
          retry: false,
        }),
        { ...outbox, name: 'backup' },
      ],
      { circuit: { failureThreshold: 2, openMs: 60_000 }, onEvent: (e) => events.push(e) },
    );
    const verifier = createVerifier({
      secret: 'failover-events-adversary-secret-012345',
      store: memoryStore(),
      sender,
      abuse: false,
      onEvent: (e) => {
        events.push(e);
      },
    });
    running = await mount(verifier, {});
    // Twilio refuses the number (its text names it), then fails with a 5xx: the circuit opens.
    fake.queue(TWILIO_ERRORS.unroutable, TWILIO_ERRORS.serverError);
    for (const phone of [UNROUTABLE, '+12133734253']) {
      const r = await call(`${running.base}/verifications`, { method: 'POST', json: { phone } });
      expect(r.status).toBe(201);
    }
    expect(fake.replies[0]!.body).toMatchObject({ message: expect.stringContaining(UNROUTABLE) });
    const kinds = events.map((e) => (e as { type: string }).type);
    expect(kinds).toContain('provider_failed');
    expect(kinds).toContain('circuit_opened');
    const text = JSON.stringify(events);
    for (const m of outbox.messages) {
      expect(text).not.toContain(m.to.slice(1));
      expect(text).not.toContain(m.code);
    }
    expect(text).not.toContain('5005550002');
    expect(text).not.toContain('2133734253');
    const failed = events.filter((e) => (e as { type: string }).type === 'provider_failed');
    expect(failed[0]).toMatchObject({
      provider: 'twilio',
      error: { reason: 'unroutable', providerCode: 21612 },
    });
  });
});
