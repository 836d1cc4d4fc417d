import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../../src/ports/sender';
import type { Reply } from '../../test/fakes/server';
import { startVonageFake, VONAGE_ERRORS, type VonageFake } from '../../test/fakes/vonage';
import { parseVonageMessageStatus, vonageSender } from './index';

const apiKey = 'abcd1234';
const apiSecret = 'secret-5678';
const applicationId = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const waNumber = '447700900123';
const vid = 'V'.repeat(32) + 'n'.repeat(22);
const ref = `${'V'.repeat(32)}Tag-0_9z`;
let keys: { publicKey: string; privateKey: string };

const wa = (extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  to: '+5511987654321',
  channel: 'whatsapp',
  text: 'Your Acme code is 123456.',
  code: '123456',
  locale: 'en',
  verificationId: vid,
  ref,
  ...extra,
});

const templates = {
  en: { name: 'verification_code', language: 'en' },
  'pt-BR': { name: 'verification_code', language: 'pt_BR' },
};

let fake: VonageFake;
beforeAll(() => {
  keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
});
beforeEach(async () => {
  fake = await startVonageFake({
    apiKey,
    apiSecret,
    applicationId,
    publicKey: keys.publicKey,
    whatsappNumber: waNumber,
    whatsappTemplates: ['verification_code/en', 'verification_code/pt_BR'],
  });
});
afterEach(() => fake.close());

const make = (whatsapp: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  vonageSender({
    apiKey,
    apiSecret,
    from: 'Acme',
    baseUrl: fake.url,
    retry: false,
    whatsapp: { from: `+${waNumber}`, templates, baseUrl: fake.url, ...whatsapp },
    ...extra,
  } as never);

describe('vonageSender on WhatsApp: the Messages API v1 request Vonage documents', () => {
  it('POST /v1/messages, Basic auth, message_type custom with the authentication template, client_ref', async () => {
    const sender = make();
    expect(sender.channels).toEqual(['sms', 'whatsapp']);
    const outcome = await sender.send(wa());
    expect(outcome).toMatchObject({ ok: true, provider: 'vonage' });
    expect(outcome.ok && outcome.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fake.violations).toEqual([]);
    const req = fake.requests[0]!;
    expect(req.url).toBe('/v1/messages');
    expect(req.headers.authorization).toBe(
      `Basic ${Buffer.from(`${apiKey}:${apiSecret}`).toString('base64')}`,
    );
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({
      to: '5511987654321',
      from: waNumber,
      channel: 'whatsapp',
      message_type: 'custom',
      custom: {
        type: 'template',
        template: {
          name: 'verification_code',
          language: { policy: 'deterministic', code: 'en' },
          components: [
            { type: 'body', parameters: [{ type: 'text', text: '123456' }] },
            {
              type: 'button',
              sub_type: 'url',
              index: '0',
              parameters: [{ type: 'text', text: '123456' }],
            },
          ],
        },
      },
      client_ref: ref,
    });
    expect(req.body).not.toContain('Acme');
  });

  it('with an application: a verifiable RS256 JWT instead of Basic', async () => {
    const now = 1_800_000_000_000;
    const sender = make(
      { application: { applicationId, privateKey: keys.privateKey } },
      { now: () => now },
    );
    expect((await sender.send(wa({ locale: 'pt-BR' }))).ok).toBe(true);
    expect(fake.violations).toEqual([]);
    expect(fake.requests[0]!.headers.authorization).toMatch(/^Bearer /);
    expect(fake.jwtClaims[0]).toMatchObject({ application_id: applicationId, iat: now / 1000 });
    expect(JSON.parse(fake.requests[0]!.body).custom.template.language.code).toBe('pt_BR');
  });

  it('wrong credentials: 401, provider_auth', async () => {
    const outcome = await make({}, { apiSecret: 'wrong' }).send(wa());
    expect(outcome).toMatchObject({
      ok: false,
      error: { reason: 'provider_auth', providerCode: 401 },
    });
  });

  it.each<[string, Reply, string]>([
    ['402 low balance', VONAGE_ERRORS.lowBalance, 'provider_config'],
    ['422 invalid params', VONAGE_ERRORS.messagesInvalid('x'), 'provider_rejected'],
    ['429', { status: 429, body: { title: 'Rate Limit Hit' } }, 'throttled'],
    ['500', VONAGE_ERRORS.serverError, 'server_error'],
  ])('%s: %s', async (_n, reply, reason) => {
    fake.queue(reply);
    expect(await make().send(wa())).toMatchObject({ ok: false, error: { reason } });
  });

  it('without the whatsapp option, WhatsApp is channel_unsupported and nothing is sent', async () => {
    const sender = vonageSender({ apiKey, apiSecret, from: 'Acme', baseUrl: fake.url });
    expect(await sender.send(wa())).toMatchObject({
      ok: false,
      error: { reason: 'channel_unsupported' },
    });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('vonageSender on WhatsApp: configuration is checked at construction', () => {
  it.each([
    [{ from: 'Acme' }, /whatsapp.from/],
    [{ templates: { fr: templates.en } }, /default locale "en"/],
    [{ templates: { en: { name: 'x', language: 'English' } } }, /whatsapp.templates\["en"\]/],
    [{ baseUrl: 'nope' }, 'phoneproof/vonage: whatsapp.baseUrl must be an http(s) URL.'],
    [{ application: { applicationId: 'x', privateKey: 'y' } }, /applicationId/],
  ])('%o', (whatsapp, message) => {
    expect(() => make(whatsapp)).toThrow(message);
  });
});

describe('parseVonageMessageStatus: WhatsApp status webhooks', () => {
  const base = {
    message_uuid: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
    to: '5511987654321',
    from: waNumber,
    timestamp: '2030-01-01T00:00:05Z',
    channel: 'whatsapp',
    client_ref: ref,
  };

  it.each([
    ['submitted', 'sent'],
    ['delivered', 'delivered'],
    ['read', 'delivered'],
  ])('%s is %s, with the client_ref as ref', (status, state) => {
    expect(parseVonageMessageStatus({ ...base, status })._unsafeUnwrap()).toEqual({
      provider: 'vonage',
      messageId: base.message_uuid,
      channel: 'whatsapp',
      state,
      providerStatus: status,
      to: '+5511987654321',
      at: Date.UTC(2030, 0, 1, 0, 0, 5),
      ref,
    });
  });

  it('rejected keeps Vonage code, a retryable provider_error', () => {
    const r = parseVonageMessageStatus({
      ...base,
      status: 'rejected',
      error: { type: 'https://developer.vonage.com/api-errors/messages#1300', title: 'x' },
    })._unsafeUnwrap();
    expect(r).toMatchObject({
      state: 'failed',
      error: { kind: 'retryable', reason: 'provider_error', providerCode: '1300' },
    });
  });

  it('refuses bodies that are not a Messages status', () => {
    expect(parseVonageMessageStatus({ ...base, status: 'bogus' }).isErr()).toBe(true);
    expect(parseVonageMessageStatus({ ...base, channel: 'viber', status: 'read' }).isErr()).toBe(
      true,
    );
    expect(parseVonageMessageStatus({ status: 'read' }).isErr()).toBe(true);
  });
});
