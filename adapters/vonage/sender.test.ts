import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../../src/ports/sender';
import { startVonageFake, VONAGE_ERRORS, type VonageFake } from '../../test/fakes/vonage';
import { vonageSender } from './index';

const apiKey = 'abcd1234';
const apiSecret = 'secret-5678';
const applicationId = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const vid = 'R'.repeat(32) + 'n'.repeat(22);
let keys: { publicKey: string; privateKey: string };
let otherKey: string;

const msg = (extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  to: '+447700900001',
  channel: 'sms',
  text: 'Your Acme code is 123456.',
  code: '123456',
  locale: 'en',
  verificationId: vid,
  ...extra,
});

let fake: VonageFake;
const sleeps: number[] = [];
const sleep = async (ms: number) => {
  sleeps.push(ms);
};

beforeAll(() => {
  const pair = (n: number) =>
    generateKeyPairSync('rsa', {
      modulusLength: n,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
  keys = pair(2048);
  otherKey = pair(2048).privateKey;
});

beforeEach(async () => {
  sleeps.length = 0;
  fake = await startVonageFake({ apiKey, apiSecret, applicationId, publicKey: keys.publicKey });
});
afterEach(() => fake.close());

const make = (extra: Partial<Parameters<typeof vonageSender>[0]> = {}) =>
  vonageSender({
    apiKey,
    apiSecret,
    from: 'Acme',
    baseUrl: fake.url,
    retry: { sleep, random: () => 0.5 },
    ...extra,
  });

const voice = (extra: Record<string, unknown> = {}) => ({
  applicationId,
  privateKey: keys.privateKey,
  from: '+447700900000',
  baseUrl: fake.url,
  ...extra,
});

describe('vonageSender: SMS API requests as Vonage documents them', () => {
  it('POST /sms/json, form fields api_key, api_secret, from, to without +, text, client-ref', async () => {
    const outcome = await make().send(msg());
    expect(outcome).toMatchObject({ ok: true, provider: 'vonage' });
    expect(outcome.ok && outcome.messageId).toMatch(/^[0-9A-F]{16}$/);
    expect(fake.violations).toEqual([]);
    const req = fake.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/sms/json');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect([...fake.fields(0)]).toEqual([
      ['api_key', [apiKey]],
      ['api_secret', [apiSecret]],
      ['from', ['Acme']],
      ['to', ['447700900001']],
      ['text', ['Your Acme code is 123456.']],
      ['client-ref', ['R'.repeat(32)]],
    ]);
  });

  it("sends the message's own ref (record + send tag) as client-ref and in the callback", async () => {
    const ref = `${'R'.repeat(32)}Tag-0_9z`;
    const outcome = await make({ statusCallback: 'https://hooks.example.com/dlr' }).send(
      msg({ ref }),
    );
    expect(outcome.ok).toBe(true);
    expect(fake.violations).toEqual([]);
    expect(fake.fields(0).get('client-ref')).toEqual([ref]);
    expect(fake.fields(0).get('callback')).toEqual([`https://hooks.example.com/dlr?ref=${ref}`]);
  });

  it('marks UCS-2 text type=unicode, strips + from a numeric sender, adds callback with ref', async () => {
    const outcome = await make({
      from: '+447700900000',
      statusCallback: 'https://hooks.example.com/dlr',
    }).send(msg({ text: '123456 es tu código de Acme.' }));
    expect(outcome.ok).toBe(true);
    expect(fake.violations).toEqual([]);
    const f = fake.fields(0);
    expect(f.get('type')).toEqual(['unicode']);
    expect(f.get('from')).toEqual(['447700900000']);
    expect(f.get('callback')).toEqual([`https://hooks.example.com/dlr?ref=${'R'.repeat(32)}`]);
  });

  it.each([
    ['barred', VONAGE_ERRORS.barred, 'permanent', 'blocked', '7'],
    ['deactivated', VONAGE_ERRORS.deactivated, 'permanent', 'invalid_number', '33'],
    ['unroutable', VONAGE_ERRORS.invalidMessage, 'retryable', 'unroutable', '6'],
    ['quota', VONAGE_ERRORS.quota, 'retryable', 'provider_config', '9'],
  ])('status %s: %s %s, not retried', async (_n, reply, kind, reason, code) => {
    fake.queue(reply);
    const outcome = await make().send(msg());
    expect(outcome).toMatchObject({ ok: false, error: { kind, reason, providerCode: code } });
    expect(fake.requests).toHaveLength(1);
  });

  it('wrong credentials: status 4, provider_auth', async () => {
    const outcome = await make({ apiSecret: 'wrong' }).send(msg());
    expect(outcome).toMatchObject({
      ok: false,
      error: { reason: 'provider_auth', providerCode: '4' },
    });
  });

  it('throttled (status 1) and internal error (status 5) are retried with backoff', async () => {
    fake.queue(VONAGE_ERRORS.throttled, VONAGE_ERRORS.internal);
    const outcome = await make().send(msg());
    expect(outcome.ok).toBe(true);
    expect(fake.requests).toHaveLength(3);
    expect(sleeps).toEqual([187.5, 375]);
  });

  it('HTTP 429 with Retry-After is honoured', async () => {
    fake.queue({ status: 429, headers: { 'retry-after': '1' }, body: '' });
    expect((await make().send(msg())).ok).toBe(true);
    expect(sleeps).toEqual([1000]);
  });

  it('a hung request times out', async () => {
    fake.queue({ status: 0, hang: true });
    const outcome = await make({ timeoutMs: 100, retry: false }).send(msg());
    expect(outcome).toMatchObject({ ok: false, error: { reason: 'timeout' } });
  });
});

describe('vonageSender: Voice API with an application JWT', () => {
  it('without voice options, voice is channel_unsupported', async () => {
    const sender = make();
    expect(sender.channels).toEqual(['sms']);
    const outcome = await sender.send(msg({ channel: 'voice' }));
    expect(outcome).toMatchObject({ ok: false, error: { reason: 'channel_unsupported' } });
    expect(fake.requests).toHaveLength(0);
  });

  it('POST /v1/calls with a verifiable RS256 JWT and a talk NCCO in the locale', async () => {
    const now = 1_800_000_000_000;
    const sender = make({
      voice: voice({ eventUrl: 'https://hooks.example.com/ev' }),
      now: () => now,
    });
    const outcome = await sender.send(
      msg({ channel: 'voice', locale: 'de', text: 'Ihr Code lautet:\n1. 2. 3.' }),
    );
    expect(outcome.ok && outcome.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fake.violations).toEqual([]);
    const req = fake.requests[0]!;
    expect(req.url).toBe('/v1/calls');
    expect(req.headers['content-type']).toBe('application/json');
    expect(fake.jwtClaims[0]).toMatchObject({
      alg: 'RS256',
      application_id: applicationId,
      iat: now / 1000,
      exp: now / 1000 + 300,
    });
    expect(JSON.parse(req.body)).toEqual({
      to: [{ type: 'phone', number: '447700900001' }],
      from: { type: 'phone', number: '447700900000' },
      ncco: [
        {
          action: 'talk',
          text: '<speak>Ihr Code lautet:<break time="1s"/>1. 2. 3.</speak>',
          language: 'de-DE',
        },
      ],
      event_url: [`https://hooks.example.com/ev?ref=${'R'.repeat(32)}`],
    });
  });

  it('a JWT signed with another key is refused: 401 → provider_auth', async () => {
    const sender = make({ voice: voice({ privateKey: otherKey }) });
    const outcome = await sender.send(msg({ channel: 'voice' }));
    expect(outcome).toMatchObject({
      ok: false,
      error: { reason: 'provider_auth', providerCode: 401 },
    });
  });

  it('voice 400 is provider_rejected; 500 is retried', async () => {
    fake.queue(VONAGE_ERRORS.voiceBadRequest);
    const bad = await make({ voice: voice() }).send(msg({ channel: 'voice' }));
    expect(bad).toMatchObject({ ok: false, error: { reason: 'provider_rejected' } });
    fake.queue(VONAGE_ERRORS.serverError);
    const ok = await make({ voice: voice() }).send(msg({ channel: 'voice' }));
    expect(ok.ok).toBe(true);
    expect(sleeps).toEqual([187.5]);
  });
});

describe('vonageSender: configuration is checked at construction', () => {
  it.each([
    [{ apiKey: '' }, /apiKey/],
    [{ from: '' }, /from/],
    [{ baseUrl: 'nope' }, 'phoneproof/vonage: baseUrl must be an http(s) URL.'],
    [{ statusCallback: 'ftp://x' }, 'phoneproof/vonage: statusCallback must be an http(s) URL.'],
    [{ voice: { applicationId: 'x', privateKey: 'k' } }, /applicationId/],
    [{ voice: { applicationId, privateKey: 'not a key' } }, /privateKey/],
  ])('%o', (extra, message) => {
    expect(() => vonageSender({ apiKey, apiSecret, from: 'Acme', ...extra } as never)).toThrow(
      message,
    );
  });

  it.each([
    [{ baseUrl: 'nope' }, 'phoneproof/vonage: voice.baseUrl must be an http(s) URL.'],
    [{ eventUrl: 'ftp://x' }, 'phoneproof/vonage: voice.eventUrl must be an http(s) URL.'],
  ])('voice %o', (extra, message) => {
    expect(() =>
      vonageSender({ apiKey, apiSecret, from: '447700900000', voice: voice(extra) } as never),
    ).toThrow(message);
  });

  it('voice needs a numeric caller id', () => {
    expect(() =>
      vonageSender({
        apiKey,
        apiSecret,
        from: 'Acme',
        voice: { applicationId, privateKey: keys.privateKey },
      }),
    ).toThrow(/voice.from/);
  });
});
