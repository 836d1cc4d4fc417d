import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../../src/ports/sender';
import { startTwilioFake, TWILIO_ERRORS, type TwilioFake } from '../../test/fakes/twilio';
import { twilioSender } from './index';

const accountSid = `AC${'a1'.repeat(16)}`;
const authToken = 'test-auth-token-0123456789abcdef';
const from = '+15005550006';
const serviceSid = `MG${'b2'.repeat(16)}`;
const vid = 'K'.repeat(32) + 'n'.repeat(22);

const sms = (to = '+14155550100', text = 'Your Acme code is 123456.'): OutgoingMessage => ({
  to,
  channel: 'sms',
  text,
  code: '123456',
  locale: 'en',
  verificationId: vid,
});

let fake: TwilioFake;
const sleeps: number[] = [];
const sleep = async (ms: number) => {
  sleeps.push(ms);
};

beforeEach(async () => {
  sleeps.length = 0;
  fake = await startTwilioFake({
    accountSid,
    authToken,
    numbers: [from, 'Acme'],
    messagingServiceSid: serviceSid,
  });
});
afterEach(() => fake.close());

const make = (extra: Partial<Parameters<typeof twilioSender>[0]> = {}) =>
  twilioSender({
    accountSid,
    authToken,
    from,
    baseUrl: fake.url,
    retry: { sleep, random: () => 0.5 },
    ...extra,
  });

describe('twilioSender: the request Twilio documents', () => {
  it('sends an SMS: POST Messages.json, Basic auth, form fields To, From, Body', async () => {
    const outcome = await make().send(sms());
    expect(outcome).toMatchObject({ ok: true, provider: 'twilio' });
    expect(outcome.ok && outcome.messageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(fake.violations).toEqual([]);
    const req = fake.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect(req.headers.authorization).toBe(
      `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
    );
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect([...fake.fields(0)]).toEqual([
      ['To', ['+14155550100']],
      ['From', [from]],
      ['Body', ['Your Acme code is 123456.']],
    ]);
  });

  it('uses MessagingServiceSid instead of From, and a StatusCallback carrying the ref', async () => {
    const sender = make({
      from: undefined,
      messagingServiceSid: serviceSid,
      statusCallback: 'https://hooks.example.com/twilio/status',
    } as never);
    const outcome = await sender.send(sms());
    expect(outcome.ok).toBe(true);
    expect(fake.violations).toEqual([]);
    expect([...fake.fields(0)]).toEqual([
      ['To', ['+14155550100']],
      ['MessagingServiceSid', [serviceSid]],
      ['Body', ['Your Acme code is 123456.']],
      ['StatusCallback', [`https://hooks.example.com/twilio/status?ref=${'K'.repeat(32)}`]],
    ]);
  });

  it('authenticates with an API key when one is given', async () => {
    await fake.close();
    fake = await startTwilioFake({
      accountSid,
      authToken: 'key-secret',
      username: `SK${'c3'.repeat(16)}`,
      numbers: [from],
    });
    const sender = make({
      authToken: undefined,
      apiKey: { sid: `SK${'c3'.repeat(16)}`, secret: 'key-secret' },
    } as never);
    expect((await sender.send(sms())).ok).toBe(true);
  });

  it('places a voice call: POST Calls.json with To, From and inline TwiML in the locale', async () => {
    const outcome = await make({ statusCallback: 'https://hooks.example.com/s' }).send({
      ...sms(),
      channel: 'voice',
      locale: 'es-MX',
      text: 'Tu código de Acme es:\n1. 2. 3.\nRepito:\n1. 2. 3.',
    });
    expect(outcome.ok && outcome.messageId).toMatch(/^CA[0-9a-f]{32}$/);
    expect(fake.violations).toEqual([]);
    expect(fake.requests[0]!.url).toBe(`/2010-04-01/Accounts/${accountSid}/Calls.json`);
    const f = fake.fields(0);
    expect([...f.keys()]).toEqual(['To', 'From', 'Twiml', 'StatusCallback']);
    expect(f.get('Twiml')).toEqual([
      '<?xml version="1.0" encoding="UTF-8"?><Response>' +
        '<Say language="es-MX">Tu código de Acme es:</Say><Pause length="1"/>' +
        '<Say language="es-MX">1. 2. 3.</Say><Pause length="1"/>' +
        '<Say language="es-MX">Repito:</Say><Pause length="1"/>' +
        '<Say language="es-MX">1. 2. 3.</Say></Response>',
    ]);
  });

  it('escapes TwiML and uses the configured voice', async () => {
    await make({ voice: { voice: 'Polly.Joanna', pauseSeconds: 2 } }).send({
      ...sms(),
      channel: 'voice',
      text: 'A & B <app>\n1.',
    });
    expect(fake.fields(0).get('Twiml')![0]).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response>' +
        '<Say language="en-US" voice="Polly.Joanna">A &amp; B &lt;app&gt;</Say><Pause length="2"/>' +
        '<Say language="en-US" voice="Polly.Joanna">1.</Say></Response>',
    );
  });

  it('cannot call from an alphanumeric sender: voice is channel_unsupported', async () => {
    const sender = make({ from: 'Acme' });
    expect(sender.channels).toEqual(['sms']);
    const outcome = await sender.send({ ...sms(), channel: 'voice' });
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'retryable', reason: 'channel_unsupported' },
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('uses the fetch it is given', async () => {
    const seen: string[] = [];
    const sender = make({
      fetch: (url, init) => {
        seen.push(url);
        return fetch(url, init);
      },
    });
    await sender.send(sms());
    expect(seen).toEqual([`${fake.url}/2010-04-01/Accounts/${accountSid}/Messages.json`]);
  });
});

describe('twilioSender: Twilio errors as typed delivery errors', () => {
  it.each([
    ['+15005550001', 'permanent', 'invalid_number', 21211],
    ['+15005550009', 'permanent', 'not_mobile', 21614],
    ['+15005550004', 'permanent', 'unsubscribed', 21610],
    ['+15005550003', 'retryable', 'region_not_permitted', 21408],
    ['+15005550002', 'retryable', 'unroutable', 21612],
  ])('%s: %s %s (%i), not retried', async (to, kind, reason, code) => {
    const outcome = await make().send(sms(to));
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind, reason, provider: 'twilio', providerCode: code },
    });
    expect(fake.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('never puts the number, the code or Twilio text into the error message', async () => {
    const outcome = await make().send(sms('+15005550001', 'code 123456'));
    expect(outcome.ok).toBe(false);
    const message = outcome.ok ? '' : outcome.error.message;
    expect(message).not.toContain('5005550001');
    expect(message).not.toContain('123456');
    expect(message).toBe('twilio: the number is not valid (21211).');
  });

  it('wrong credentials: provider_auth, not retried', async () => {
    const outcome = await make({ authToken: 'wrong' }).send(sms());
    expect(outcome).toMatchObject({
      ok: false,
      error: { reason: 'provider_auth', providerCode: 20003 },
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a 500 with backoff, then succeeds', async () => {
    fake.queue(TWILIO_ERRORS.serverError, TWILIO_ERRORS.serverError);
    const outcome = await make().send(sms());
    expect(outcome.ok).toBe(true);
    expect(fake.requests).toHaveLength(3);
    // equal jitter with random 0.5: 3/4 of 250 ms, then of 500 ms
    expect(sleeps).toEqual([187.5, 375]);
  });

  it('gives up after the configured attempts with server_error', async () => {
    fake.queue(TWILIO_ERRORS.serverError, TWILIO_ERRORS.serverError, TWILIO_ERRORS.serverError);
    const outcome = await make().send(sms());
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'retryable', reason: 'server_error' },
    });
    expect(fake.requests).toHaveLength(3);
  });

  it('429 with Retry-After: waits what Twilio asks', async () => {
    fake.queue(TWILIO_ERRORS.tooManyRequests(2));
    const outcome = await make().send(sms());
    expect(outcome.ok).toBe(true);
    expect(sleeps).toEqual([2000]);
  });

  it('429 asking for longer than maxRetryAfterMs: returned at once with retryAfterMs', async () => {
    fake.queue(TWILIO_ERRORS.tooManyRequests(60));
    const outcome = await make().send(sms());
    expect(outcome).toMatchObject({
      ok: false,
      error: { reason: 'throttled', providerCode: 20429, retryAfterMs: 60_000 },
    });
    expect(sleeps).toEqual([]);
  });

  it('a hung request times out (retried, then reported as timeout)', async () => {
    fake.queue({ status: 0, hang: true }, { status: 0, hang: true });
    const outcome = await make({ timeoutMs: 100, retry: { attempts: 2, sleep } }).send(sms());
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'retryable', reason: 'timeout' } });
    expect(fake.requests).toHaveLength(2);
  });

  it('a dropped connection is a network error', async () => {
    fake.queue({ status: 0, reset: true });
    const outcome = await make({ retry: false }).send(sms());
    expect(outcome).toMatchObject({ ok: false, error: { reason: 'network' } });
  });

  it('an unknown 4xx keeps Twilio code and does not retry', async () => {
    fake.queue({ status: 400, body: { code: 29999, message: 'x', more_info: '', status: 400 } });
    const outcome = await make().send(sms());
    expect(outcome).toMatchObject({
      ok: false,
      error: { reason: 'provider_rejected', providerCode: 29999 },
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('a 2xx without a sid is a provider_error', async () => {
    fake.queue({ status: 201, body: { status: 'queued' } });
    const outcome = await make({ retry: false }).send(sms());
    expect(outcome).toMatchObject({ ok: false, error: { reason: 'provider_error' } });
  });
});

describe('twilioSender: configuration is checked at construction', () => {
  it.each([
    [{ accountSid: 'nope' }, /accountSid/],
    [{ authToken: undefined }, /authToken/],
    [{ from: undefined }, /from or messagingServiceSid/],
    [{ messagingServiceSid: 'MG1' }, /messagingServiceSid/],
    [{ baseUrl: 'ftp://x' }, 'phoneproof/twilio: baseUrl must be an http(s) URL.'],
    [{ statusCallback: 'not a url' }, 'phoneproof/twilio: statusCallback must be an http(s) URL.'],
    [{ voiceFrom: '555' }, /voiceFrom/],
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ retry: { attempts: 0 } }, /attempts/],
  ])('%o', (extra, message) => {
    expect(() => twilioSender({ accountSid, authToken, from, ...extra } as never)).toThrow(message);
  });
});
