import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../../src/ports/sender';
import { META_ERRORS, startWhatsAppFake, type WhatsAppFake } from '../../test/fakes/whatsapp';
import { whatsappCloudSender } from './index';

const accessToken = 'EAAG-test-access-token-0123456789';
const phoneNumberId = '106540352242922';
const apiVersion = 'v23.0';
const vid = 'W'.repeat(32) + 'n'.repeat(22);
const ref = `${'W'.repeat(32)}Tag-0_9z`;

const msg = (extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  to: '+5511987654321',
  channel: 'whatsapp',
  text: 'Your Acme code is 123456.',
  code: '123456',
  locale: 'en',
  verificationId: vid,
  ref,
  ...extra,
});

let fake: WhatsAppFake;
const sleeps: number[] = [];
const sleep = async (ms: number) => {
  sleeps.push(ms);
};

beforeEach(async () => {
  sleeps.length = 0;
  fake = await startWhatsAppFake({
    accessToken,
    phoneNumberId,
    apiVersion,
    templates: ['verification_code/en_US', 'verification_code/pt_BR', 'codigo/es'],
  });
});
afterEach(() => fake.close());

const templates = {
  en: { name: 'verification_code', language: 'en_US' },
  'pt-BR': { name: 'verification_code', language: 'pt_BR' },
  es: { name: 'codigo', language: 'es' },
};

const make = (extra: Partial<Parameters<typeof whatsappCloudSender>[0]> = {}) =>
  whatsappCloudSender({
    accessToken,
    phoneNumberId,
    apiVersion,
    templates,
    baseUrl: fake.url,
    retry: { sleep, random: () => 0.5 },
    ...extra,
  });

describe('whatsappCloudSender: the request Meta documents', () => {
  it('POST /{version}/{phone-number-id}/messages, Bearer token, the authentication template', async () => {
    const outcome = await make().send(msg());
    expect(outcome).toMatchObject({ ok: true, provider: 'whatsapp' });
    expect(outcome.ok && outcome.messageId).toMatch(/^wamid\./);
    expect(fake.violations).toEqual([]);
    const req = fake.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`/${apiVersion}/${phoneNumberId}/messages`);
    expect(req.headers.authorization).toBe(`Bearer ${accessToken}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(fake.json(0)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '5511987654321',
      type: 'template',
      template: {
        name: 'verification_code',
        language: { code: 'en_US' },
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
      biz_opaque_callback_data: ref,
    });
    // The SMS-style text never leaves: WhatsApp renders the approved template.
    expect(req.body).not.toContain('Your Acme code');
  });

  it.each([
    ['pt-BR', 'pt_BR', 'verification_code'],
    ['pt_br', 'pt_BR', 'verification_code'],
    ['es-MX', 'es', 'codigo'],
    ['de', 'en_US', 'verification_code'],
  ])(
    'locale %s: template %s %s (exact, by language, then the default)',
    async (locale, language, name) => {
      expect((await make().send(msg({ locale }))).ok).toBe(true);
      expect(fake.violations).toEqual([]);
      expect(fake.json(0).template).toMatchObject({ name, language: { code: language } });
    },
  );

  it('takes templates as a function of the locale', async () => {
    const sender = make({
      templates: (locale) => (locale === 'es' ? { name: 'codigo', language: 'es' } : undefined),
      defaultLocale: 'es',
    });
    expect((await sender.send(msg({ locale: 'fr' }))).ok).toBe(true);
    expect(fake.json(0).template.name).toBe('codigo');
  });

  it('without a ref, the record part of the verification id is the callback data', async () => {
    const { ref: _, ...bare } = msg();
    await make().send(bare);
    expect(fake.json(0).biz_opaque_callback_data).toBe('W'.repeat(32));
  });

  it('only does WhatsApp: SMS and voice are channel_unsupported, no request', async () => {
    const sender = make();
    expect(sender.channels).toEqual(['whatsapp']);
    for (const channel of ['sms', 'voice'] as const) {
      expect(await sender.send(msg({ channel }))).toMatchObject({
        ok: false,
        error: { kind: 'retryable', reason: 'channel_unsupported' },
      });
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('a function that has no template for the locale or the default: provider_config, no request', async () => {
    const outcome = await make({ templates: () => undefined }).send(msg());
    expect(outcome).toMatchObject({ ok: false, error: { reason: 'provider_config' } });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('whatsappCloudSender: Meta errors as typed delivery errors', () => {
  it.each([
    ['131026 undeliverable', META_ERRORS.undeliverable, 'permanent', 'not_on_whatsapp', 131026],
    ['190 expired token', META_ERRORS.expiredToken, 'retryable', 'provider_auth', 190],
    ['132001 no template', META_ERRORS.noTemplate, 'retryable', 'provider_config', 132001],
    ['100 invalid parameter', META_ERRORS.invalidParameter, 'retryable', 'provider_rejected', 100],
  ])('%s: %s %s, not retried', async (_n, reply, kind, reason, code) => {
    fake.queue(reply);
    const outcome = await make().send(msg());
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind, reason, provider: 'whatsapp', providerCode: code },
    });
    expect(fake.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('a wrong token is refused by the fake as Meta does: 190, provider_auth', async () => {
    const outcome = await make({ accessToken: 'EAAG-wrong' }).send(msg());
    expect(outcome).toMatchObject({
      ok: false,
      error: { reason: 'provider_auth', providerCode: 190 },
    });
  });

  it('never puts the number, the code or Meta text into the error message', async () => {
    fake.queue(META_ERRORS.undeliverable);
    const outcome = await make().send(msg());
    const message = outcome.ok ? '' : outcome.error.message;
    expect(message).toBe('whatsapp: the number has no WhatsApp account (131026).');
    expect(message).not.toContain('987654321');
    expect(message).not.toContain('123456');
  });

  it.each([
    ['131056 pair rate limit', META_ERRORS.pairRateLimit],
    ['130429 throughput', META_ERRORS.throughput],
  ])('%s: throttled, retried with backoff, then sent', async (_n, reply) => {
    fake.queue(reply, reply);
    const outcome = await make().send(msg());
    expect(outcome.ok).toBe(true);
    expect(fake.requests).toHaveLength(3);
    expect(sleeps).toEqual([187.5, 375]);
  });

  it('a rate limit with Retry-After longer than the retry bound is returned with retryAfterMs', async () => {
    fake.queue({ ...META_ERRORS.pairRateLimit, headers: { 'retry-after': '120' } });
    const outcome = await make().send(msg());
    expect(outcome).toMatchObject({
      ok: false,
      error: { reason: 'throttled', providerCode: 131056, retryAfterMs: 120_000 },
    });
  });

  it('131000 and a 500 are server errors, retried; then server_error', async () => {
    fake.queue(META_ERRORS.serverError, META_ERRORS.serverError, META_ERRORS.serverError);
    const outcome = await make().send(msg());
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'retryable', reason: 'server_error' },
    });
    expect(fake.requests).toHaveLength(3);
  });

  it('a 200 without a message id is provider_error; an unknown code follows the HTTP status', async () => {
    fake.queue({ status: 200, body: { messaging_product: 'whatsapp' } });
    expect(await make({ retry: false }).send(msg())).toMatchObject({
      ok: false,
      error: { reason: 'provider_error' },
    });
    fake.queue({ status: 403, body: { error: { code: 999999, message: 'x' } } });
    expect(await make({ retry: false }).send(msg())).toMatchObject({
      ok: false,
      error: { reason: 'provider_auth', providerCode: 999999 },
    });
  });

  it('a hung request times out', async () => {
    fake.queue({ status: 0, hang: true });
    const outcome = await make({ timeoutMs: 100, retry: false }).send(msg());
    expect(outcome).toMatchObject({ ok: false, error: { reason: 'timeout' } });
  });
});

describe('whatsappCloudSender: configuration is checked at construction', () => {
  it.each([
    [{ accessToken: '' }, /accessToken/],
    [{ phoneNumberId: '+1555' }, /phoneNumberId/],
    [{ apiVersion: '23' }, /apiVersion/],
    [{ templates: undefined }, /templates/],
    [{ templates: { fr: templates.en } }, /default locale "en"/],
    [{ templates: { en: { name: 'Bad Name', language: 'en_US' } } }, /templates\["en"\]: name/],
    [{ templates: { en: { name: 'ok', language: 'english' } } }, /language/],
    [{ baseUrl: 'ftp://x' }, 'phoneproof/whatsapp: baseUrl must be an http(s) URL.'],
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ retry: { attempts: 0 } }, /attempts/],
  ])('%o', (extra, message) => {
    expect(() =>
      whatsappCloudSender({ accessToken, phoneNumberId, apiVersion, templates, ...extra } as never),
    ).toThrow(message);
  });
});
