/**
 * The real adapters behind a failover chain, against the fake Twilio and Vonage servers,
 * under injected faults: 500s, 429 with Retry-After, timeouts, dropped connections and
 * permanent number errors. Time is injected (clock and sleep), so nothing here waits on
 * the wall clock except the deliberately short request timeouts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { twilioSender } from '../../adapters/twilio/index';
import { vonageSender } from '../../adapters/vonage/index';
import { createRenderer } from '../../src/messages/renderer';
import { type FailoverEvent, failoverSender } from '../../src/senders/failover';
import { startTwilioFake, TWILIO_ERRORS, type TwilioFake } from '../fakes/twilio';
import { startVonageFake, type VonageFake } from '../fakes/vonage';
import { message } from './scripted';

const accountSid = `AC${'a1'.repeat(16)}`;
let twilio: TwilioFake;
let vonage: VonageFake;
let now = 0;
let sleeps: number[] = [];
let events: FailoverEvent[] = [];

beforeEach(async () => {
  now = 0;
  sleeps = [];
  events = [];
  twilio = await startTwilioFake({ accountSid, authToken: 'tok', numbers: ['+15005550006'] });
  vonage = await startVonageFake({ apiKey: 'k', apiSecret: 's' });
});
afterEach(async () => {
  await twilio.close();
  await vonage.close();
});

const retry = {
  attempts: 3,
  sleep: async (ms: number) => {
    sleeps.push(ms);
    now += ms;
  },
  random: () => 0,
};

/** The chain; a short request timeout only where a test hangs the server on purpose. */
function chain(timeoutMs = 10_000) {
  return failoverSender(
    [
      twilioSender({
        accountSid,
        authToken: 'tok',
        from: '+15005550006',
        baseUrl: twilio.url,
        timeoutMs,
        retry,
        now: () => now,
      }),
      vonageSender({ apiKey: 'k', apiSecret: 's', from: 'Acme', baseUrl: vonage.url, retry }),
    ],
    {
      now: () => now,
      circuit: { failureThreshold: 2, openMs: 60_000 },
      onEvent: (e) => events.push(e),
    },
  );
}

describe('failover across real adapters', () => {
  it('Twilio 500 three times (retried with backoff) → Vonage delivers', async () => {
    twilio.queue(TWILIO_ERRORS.serverError, TWILIO_ERRORS.serverError, TWILIO_ERRORS.serverError);
    const outcome = await chain().send(message());
    expect(outcome).toMatchObject({ ok: true, provider: 'vonage' });
    expect(twilio.requests).toHaveLength(3);
    expect(vonage.requests).toHaveLength(1);
    expect(sleeps).toEqual([125, 250]);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'provider_failed',
        provider: 'twilio',
        error: expect.objectContaining({ reason: 'server_error' }),
      }),
    ]);
  });

  it('Twilio 429 with Retry-After: 5 → waits 5 s (injected) and Twilio delivers', async () => {
    twilio.queue(TWILIO_ERRORS.tooManyRequests(5));
    const outcome = await chain().send(message());
    expect(outcome).toMatchObject({ ok: true, provider: 'twilio' });
    expect(sleeps).toEqual([5000]);
    expect(now).toBe(5000);
    expect(vonage.requests).toHaveLength(0);
  });

  it('Twilio times out on every try → Vonage delivers', async () => {
    twilio.queue({ status: 0, hang: true }, { status: 0, hang: true }, { status: 0, hang: true });
    const outcome = await chain(150).send(message());
    expect(outcome).toMatchObject({ ok: true, provider: 'vonage' });
    expect(twilio.requests).toHaveLength(3);
    expect(events[0]).toMatchObject({ error: { reason: 'timeout' } });
  });

  it('a landline (21614) is permanent: Vonage is never asked', async () => {
    const outcome = await chain().send(message({ to: '+15005550009' }));
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'permanent', reason: 'not_mobile', provider: 'twilio', providerCode: 21614 },
    });
    expect(vonage.requests).toHaveLength(0);
  });

  it('after two failing sends the Twilio circuit opens: the third goes straight to Vonage', async () => {
    const sender = chain();
    twilio.queue(
      { status: 0, reset: true },
      { status: 0, reset: true },
      { status: 0, reset: true },
    );
    twilio.queue(
      { status: 0, reset: true },
      { status: 0, reset: true },
      { status: 0, reset: true },
    );
    await sender.send(message());
    await sender.send(message());
    expect(twilio.requests).toHaveLength(6);
    expect(events.some((e) => e.type === 'circuit_opened' && e.provider === 'twilio')).toBe(true);

    const third = await sender.send(message());
    expect(third).toMatchObject({ ok: true, provider: 'vonage' });
    expect(twilio.requests).toHaveLength(6);

    now += 60_000;
    const probe = await sender.send(message());
    expect(probe).toMatchObject({ ok: true, provider: 'twilio' });
    expect(sender.health()[0]).toEqual({
      provider: 'twilio',
      state: { mode: 'closed', failures: 0 },
    });
  });

  it('voice goes to Twilio even when Vonage (SMS only) comes first', async () => {
    const sender = failoverSender([
      vonageSender({ apiKey: 'k', apiSecret: 's', from: 'Acme', baseUrl: vonage.url }),
      twilioSender({ accountSid, authToken: 'tok', from: '+15005550006', baseUrl: twilio.url }),
    ]);
    const text = createRenderer()({
      code: '123456',
      channel: 'voice',
      locale: 'fr',
      appName: 'Acme',
      minutes: 10,
      purpose: 'verify',
    });
    const outcome = await sender.send(message({ channel: 'voice', locale: 'fr', text }));
    expect(outcome).toMatchObject({ ok: true, provider: 'twilio' });
    expect(vonage.requests).toHaveLength(0);
    expect(twilio.violations).toEqual([]);
    expect(twilio.fields(0).get('Twiml')![0]).toContain(
      '<Say language="fr-FR">1. 2. 3. 4. 5. 6.</Say>',
    );
  });
});
