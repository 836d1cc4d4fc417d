/**
 * The Cloud API webhook: the signature (a known answer computed with openssl), the
 * handshake, parsing statuses and inbound messages, and the handler end to end with a
 * verifier: a WhatsApp code sent through the fake Cloud API, Meta's `failed` status with
 * 131026 for it, and the verification falling back to SMS; a WhatsApp STOP opting out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consent } from '../../src/consent/index';
import { createVerifier } from '../../src/index';
import { failoverSender } from '../../src/senders/failover';
import { outboxSender } from '../../src/senders/outbox';
import { startWhatsAppFake, type WhatsAppFake } from '../../test/fakes/whatsapp';
import { memoryConsentLedger, memoryStore } from '../memory/index';
import {
  parseWhatsAppWebhook,
  validateWhatsAppSignature,
  whatsappCloudSender,
  whatsappSignature,
  whatsappWebhook,
  whatsappWebhookHandler,
} from './index';

const SECRET = 'meta-app-secret-0123456789abcdef';
const VERIFY = 'verify-token-0123456789abcdef';
const PHONE = '+5511987654321';

/** `printf '%s' '<body>' | openssl dgst -sha256 -hmac '<secret>'`. */
const EMPTY = '{"object":"whatsapp_business_account","entry":[]}';
const EMPTY_SIG = 'sha256=44db36f745676a5200f6b61919984c5ef3e97d54054053abdd3a971841921c16';

/** A Cloud API notification, shaped as Meta's webhook reference shows it. */
function notification(value: Record<string, unknown>) {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              ...value,
            },
          },
        ],
      },
    ],
  });
}

const status = (s: Record<string, unknown>) =>
  notification({
    statuses: [
      {
        id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA',
        recipient_id: PHONE.slice(1),
        timestamp: '1750263773',
        ...s,
      },
    ],
  });

const inbound = (text: string, id = 'wamid.INBOUND0123456789') =>
  notification({
    contacts: [{ profile: { name: 'Ana' }, wa_id: PHONE.slice(1) }],
    messages: [
      { from: PHONE.slice(1), id, timestamp: '1750263800', type: 'text', text: { body: text } },
    ],
  });

describe('X-Hub-Signature-256', () => {
  it('is sha256= and the hex HMAC-SHA256 of the raw body with the app secret (known answer)', () => {
    expect(whatsappSignature(SECRET, EMPTY)).toBe(EMPTY_SIG);
    expect(whatsappSignature(SECRET, new TextEncoder().encode(EMPTY))).toBe(EMPTY_SIG);
  });

  it.each([
    ['the right one', EMPTY_SIG, true],
    ['upper-case hex', EMPTY_SIG.toUpperCase().replace('SHA256=', 'sha256='), true],
    ['missing', undefined, false],
    ['empty', '', false],
    ['without the prefix', EMPTY_SIG.slice(7), false],
    ['sha1=', EMPTY_SIG.replace('sha256', 'sha1'), false],
    ['one digit off', `${EMPTY_SIG.slice(0, -1)}0`, false],
  ])('%s: %s', (_n, signature, valid) => {
    expect(validateWhatsAppSignature({ appSecret: SECRET, signature, body: EMPTY })).toBe(valid);
  });

  it('accepts any secret of a rotation list, and not another body', () => {
    const appSecret = ['old-secret-0123456789abcdef', SECRET];
    expect(validateWhatsAppSignature({ appSecret, signature: EMPTY_SIG, body: EMPTY })).toBe(true);
    expect(validateWhatsAppSignature({ appSecret, signature: EMPTY_SIG, body: `${EMPTY} ` })).toBe(
      false,
    );
  });
});

describe('parseWhatsAppWebhook', () => {
  it.each([
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['read', 'delivered'],
  ])('%s is %s, with the ref from biz_opaque_callback_data', (word, state) => {
    const r = parseWhatsAppWebhook(
      JSON.parse(status({ status: word, biz_opaque_callback_data: 'AbC_-9' })),
    )._unsafeUnwrap();
    expect(r.reports).toEqual([
      {
        provider: 'whatsapp',
        messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA',
        channel: 'whatsapp',
        state,
        providerStatus: word,
        to: PHONE,
        at: 1_750_263_773_000,
        ref: 'AbC_-9',
      },
    ]);
    expect(r.inbound).toEqual([]);
  });

  it.each([
    [131026, 'permanent', 'not_on_whatsapp'],
    [131049, 'retryable', 'filtered'],
    [131056, 'retryable', 'throttled'],
    [132001, 'retryable', 'provider_config'],
    [999999, 'retryable', 'provider_error'],
  ])('failed with %i: %s %s', (code, kind, reason) => {
    const body = status({
      status: 'failed',
      errors: [{ code, title: 'Message undeliverable.', error_data: { details: 'x' } }],
    });
    const [r] = parseWhatsAppWebhook(JSON.parse(body))._unsafeUnwrap().reports;
    expect(r).toMatchObject({ state: 'failed', error: { kind, reason, providerCode: code } });
  });

  it('skips what is not a delivery report or a text; refuses what is not a WABA notification', () => {
    const odd = status({ status: 'deleted' });
    expect(parseWhatsAppWebhook(JSON.parse(odd))._unsafeUnwrap().reports).toEqual([]);
    const image = notification({
      messages: [{ from: '5511987654321', id: 'wamid.X', type: 'image' }],
    });
    expect(parseWhatsAppWebhook(JSON.parse(image))._unsafeUnwrap().inbound).toEqual([]);
    const badRef = status({ status: 'sent', biz_opaque_callback_data: 'has spaces' });
    expect(parseWhatsAppWebhook(JSON.parse(badRef))._unsafeUnwrap().reports[0]).not.toHaveProperty(
      'ref',
    );
    expect(parseWhatsAppWebhook({ object: 'page', entry: [] }).isErr()).toBe(true);
    expect(parseWhatsAppWebhook([]).isErr()).toBe(true);
  });

  it('reads inbound text messages', () => {
    expect(parseWhatsAppWebhook(JSON.parse(inbound('STOP')))._unsafeUnwrap().inbound).toEqual([
      { from: PHONE, text: 'STOP', messageId: 'wamid.INBOUND0123456789', at: 1_750_263_800_000 },
    ]);
  });
});

describe('whatsappWebhook', () => {
  const hook = whatsappWebhook({ appSecret: SECRET, verifyToken: VERIFY });
  const q = (o: Record<string, string>) => new URLSearchParams(o);

  it('answers the handshake with the challenge only for the verify token', () => {
    const ok = {
      'hub.mode': 'subscribe',
      'hub.verify_token': VERIFY,
      'hub.challenge': '1158201444',
    };
    expect(hook.handshake(q(ok))._unsafeUnwrap()).toBe('1158201444');
    expect(hook.handshake(q({ ...ok, 'hub.verify_token': 'nope' }))._unsafeUnwrapErr().code).toBe(
      'forbidden',
    );
    expect(hook.handshake(q({ ...ok, 'hub.mode': 'unsubscribe' })).isErr()).toBe(true);
    const noToken = whatsappWebhook({ appSecret: SECRET });
    expect(noToken.handshake(q(ok)).isErr()).toBe(true);
  });

  it('with phoneNumberIds, reads only the changes for those business numbers', () => {
    const body = inbound('STOP');
    const signature = whatsappSignature(SECRET, body);
    const mine = whatsappWebhook({ appSecret: SECRET, phoneNumberIds: ['106540352242922'] });
    const other = whatsappWebhook({ appSecret: SECRET, phoneNumberIds: ['999'] });
    expect(mine.read({ body, signature })._unsafeUnwrap().inbound).toHaveLength(1);
    expect(other.read({ body, signature })._unsafeUnwrap().inbound).toEqual([]);
    const st = status({ status: 'delivered' });
    const stSig = whatsappSignature(SECRET, st);
    expect(mine.read({ body: st, signature: stSig })._unsafeUnwrap().reports).toHaveLength(1);
    expect(other.read({ body: st, signature: stSig })._unsafeUnwrap().reports).toEqual([]);
    // Without the option, every number of the app is read.
    expect(hook.read({ body, signature })._unsafeUnwrap().inbound).toHaveLength(1);
  });

  it('reads only signed notifications', () => {
    expect(hook.read({ body: EMPTY, signature: EMPTY_SIG }).isOk()).toBe(true);
    expect(hook.read({ body: EMPTY, signature: null })._unsafeUnwrapErr().code).toBe(
      'signature_invalid',
    );
  });

  it.each([
    [{ appSecret: '' }, /appSecret/],
    [{ appSecret: 'short' }, /appSecret/],
    [{ appSecret: [] }, /appSecret/],
    [{ appSecret: SECRET, verifyToken: 'short' }, /verifyToken/],
    [{ appSecret: SECRET, phoneNumberIds: [] }, /phoneNumberIds/],
    [{ appSecret: SECRET, phoneNumberIds: ['not-an-id'] }, /phoneNumberIds/],
  ])('refuses %o', (options, message) => {
    expect(() => whatsappWebhook(options as never)).toThrow(message);
  });
});

describe('whatsappWebhookHandler with a verifier', () => {
  let fake: WhatsAppFake;
  beforeEach(async () => {
    fake = await startWhatsAppFake({
      accessToken: 'EAAG-token-0123456789',
      phoneNumberId: '106540352242922',
      apiVersion: 'v23.0',
      templates: ['verification_code/pt_BR'],
    });
  });
  afterEach(() => fake.close());

  function kit() {
    const outbox = outboxSender();
    const cloud = whatsappCloudSender({
      accessToken: 'EAAG-token-0123456789',
      phoneNumberId: '106540352242922',
      apiVersion: 'v23.0',
      templates: { 'pt-BR': { name: 'verification_code', language: 'pt_BR' } },
      defaultLocale: 'pt-BR',
      baseUrl: fake.url,
      retry: false,
    });
    const verifier = createVerifier({
      secret: 'whatsapp-webhook-test-secret-0123456789',
      store: memoryStore(),
      sender: failoverSender([cloud, { ...outbox, name: 'sms', channels: ['sms', 'voice'] }]),
      consent: consent({ ledger: memoryConsentLedger() }),
    });
    const handler = whatsappWebhookHandler(verifier, { appSecret: SECRET, verifyToken: VERIFY });
    const post = (body: string, signature = whatsappSignature(SECRET, body)) =>
      handler(
        new Request('https://app.example.com/whatsapp', {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
        }),
      );
    return { verifier, outbox, handler, post };
  }

  it("Meta's failed status (131026) for the code falls back to SMS; the ref found the send", async () => {
    const k = kit();
    const started = (
      await k.verifier.start({ phone: PHONE, channel: 'whatsapp', locale: 'pt-BR' })
    )._unsafeUnwrap();
    expect(started.channel).toBe('whatsapp');
    expect(fake.violations).toEqual([]);
    const sent = fake.json(0);
    const messageId = (fake.replies[0]!.body as { messages: Array<{ id: string }> }).messages[0]!
      .id;
    const res = await k.post(
      status({
        id: messageId,
        status: 'failed',
        biz_opaque_callback_data: sent.biz_opaque_callback_data,
        errors: [{ code: 131026, title: 'Message undeliverable.' }],
      }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ reports: 1, unmatched: 0, inbound: 0 });
    expect(k.outbox.messages.map((m) => m.channel)).toEqual(['sms']);
    const attempts = (await k.verifier.status({ id: started.id }))._unsafeUnwrap().attempts;
    expect(attempts.map((a) => [a.channel, a.state, a.reason])).toEqual([
      ['whatsapp', 'failed', 'not_on_whatsapp'],
      ['sms', 'queued', undefined],
    ]);
    expect(attempts[0]!.messageId).toBe(messageId);
  });

  it('a STOP over WhatsApp opts the number out (channel whatsapp); the same message again changes nothing', async () => {
    const k = kit();
    const body = inbound('STOP');
    expect(await (await k.post(body)).json()).toEqual({ reports: 0, unmatched: 0, inbound: 1 });
    expect((await k.verifier.consent.status({ phone: PHONE }))._unsafeUnwrap().state).toBe(
      'opted_out',
    );
    const history = (await k.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
    expect(JSON.stringify(history)).toContain('whatsapp');
    const again = await k.post(body);
    expect(again.status).toBe(200);
    const after = (await k.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
    expect(after).toEqual(history);
  });

  it('GET answers the handshake; other methods are 404', async () => {
    const k = kit();
    const url = `https://app.example.com/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=42`;
    const r = await k.handler(new Request(url));
    expect([r.status, r.headers.get('content-type'), await r.text()]).toEqual([
      200,
      'text/plain',
      '42',
    ]);
    const put = await k.handler(new Request(url, { method: 'PUT' }));
    expect([put.status, put.headers.get('content-type')]).toEqual([
      404,
      'application/json; charset=utf-8',
    ]);
    expect(await put.json()).toMatchObject({ error: { code: 'not_found' } });
    const refused = await k.handler(new Request(url.replace(VERIFY, 'x'.repeat(16))));
    expect([refused.status, refused.headers.get('content-type')]).toEqual([
      403,
      'application/json; charset=utf-8',
    ]);
  });

  it('a status that matches no verification is counted, not an error', async () => {
    const k = kit();
    const res = await k.post(
      status({ status: 'delivered', biz_opaque_callback_data: 'A'.repeat(40) }),
    );
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ reports: 0, unmatched: 1, inbound: 0 });
  });
});
