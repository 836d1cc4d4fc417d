/**
 * Delivery through a real verifier: templates and locales chosen per `start`, a Twilio
 * sender behind it (fake server), a permanent SMS failure surfaced as `delivery_failed`
 * with its typed cause, and a resend that switches the verification to a voice call.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { twilioSender } from '../../adapters/twilio/index';
import { fallbackChannel } from '../../src/delivery/fallback';
import { createRenderer } from '../../src/messages/renderer';
import { voiceLines } from '../../src/messages/voice';
import { parseOriginBoundCode } from '../../src/messages/webotp';
import type { DeliveryError } from '../../src/ports/sender';
import { outboxSender } from '../../src/senders/outbox';
import { createVerifier } from '../../src/verifier/create';
import { startTwilioFake, type TwilioFake } from '../fakes/twilio';

const secret = 'delivery-test-secret-0123456789abcdef';
const accountSid = `AC${'a1'.repeat(16)}`;

describe('messages through the verifier', () => {
  it('start picks the template and locale; WebOTP line and code match what is checked', async () => {
    const outbox = outboxSender();
    const verifier = createVerifier({
      secret,
      store: memoryStore(),
      sender: outbox,
      appName: 'Acme',
      messages: createRenderer({ webOtp: { domain: 'acme.example' } }),
    });
    const started = await verifier.start({
      phone: '+14155550100',
      locale: 'es-MX',
      template: 'login',
    });
    expect(started.isOk()).toBe(true);
    const sent = outbox.last()!;
    expect(sent.text).toContain('Tu código de acceso de Acme es');
    const otc = parseOriginBoundCode(sent.text);
    expect(otc).toEqual({ topLevelHost: 'acme.example', code: sent.code, embeddedHost: null });
    const checked = await verifier.check({ id: started._unsafeUnwrap().id, code: otc!.code });
    expect(checked.isOk()).toBe(true);
  });

  it('a voice verification reads the code digit by digit in the locale', async () => {
    const outbox = outboxSender();
    const verifier = createVerifier({
      secret,
      store: memoryStore(),
      sender: outbox,
      appName: 'Acme',
    });
    await verifier.start({ phone: '+14155550100', channel: 'voice', locale: 'de' });
    const { text, code } = outbox.last()!;
    const spoken = [...code].map((c) => `${c}.`).join(' ');
    expect(voiceLines(text)).toEqual([
      'Ihr Acme-Bestätigungscode lautet:',
      spoken,
      'Noch einmal, Ihr Code lautet:',
      spoken,
      'Noch einmal, Ihr Code lautet:',
      spoken,
    ]);
  });
});

describe('switching to voice, behind Twilio', () => {
  let fake: TwilioFake;
  beforeEach(async () => {
    fake = await startTwilioFake({ accountSid, authToken: 'tok', numbers: ['+15005550006'] });
  });
  afterEach(() => fake.close());

  const make = (now: () => number, extra: Partial<Parameters<typeof createVerifier>[0]> = {}) =>
    createVerifier({
      secret,
      store: memoryStore({ now }),
      now,
      sender: twilioSender({
        accountSid,
        authToken: 'tok',
        from: '+15005550006',
        baseUrl: fake.url,
        retry: false,
      }),
      appName: 'Acme',
      policy: { resendCooldownMs: 0 },
      ...extra,
    });

  it('without automatic fallback, the typed cause of a landline says: call instead', async () => {
    const verifier = make(() => 1_700_000_000_000, { delivery: { fallback: { voiceOn: false } } });
    const started = await verifier.start({ phone: '+15005550009' });
    const error = started._unsafeUnwrapErr();
    expect(error.code).toBe('delivery_failed');
    const cause = error.cause as DeliveryError;
    expect(cause).toMatchObject({ kind: 'permanent', reason: 'not_mobile', providerCode: 21614 });
    expect(fallbackChannel('sms', cause)).toBe('voice');
    const byVoice = await verifier.start({ phone: '+15005550009', channel: 'voice' });
    expect(byVoice._unsafeUnwrap().messageId).toMatch(/^CA/);
    expect(fake.requests.map((r) => r.url.split('/').at(-1))).toEqual([
      'Messages.json',
      'Calls.json',
    ]);
  });

  it('a resend may switch an SMS verification to a call', async () => {
    let now = 1_700_000_000_000;
    const verifier = make(() => now);
    const started = await verifier.start({ phone: '+14155550100' });
    expect(started._unsafeUnwrap().messageId).toMatch(/^SM/);
    now += 1000;
    const resent = await verifier.resend({ id: started._unsafeUnwrap().id, channel: 'voice' });
    expect(resent._unsafeUnwrap()).toMatchObject({
      channel: 'voice',
      messageId: expect.stringMatching(/^CA/),
    });
    expect(fake.requests.map((r) => r.url.split('/').at(-1))).toEqual([
      'Messages.json',
      'Calls.json',
    ]);
    expect(fake.violations).toEqual([]);
  });
});
