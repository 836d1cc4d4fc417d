/**
 * `twilioSender` on WhatsApp: the Messages API with `whatsapp:` addresses and a Content API
 * authentication template, against the loopback fake and against Twilio's published OpenAPI
 * document for API v2010 (the CreateMessage request body schema, vendored in
 * test/fixtures/twilio/create-message.schema.json with its source commit).
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTwilioStatus } from '../../src/delivery/twilio-status';
import type { OutgoingMessage } from '../../src/ports/sender';
import { startTwilioFake, type TwilioFake, twilioError } from '../../test/fakes/twilio';
import createMessage from '../../test/fixtures/twilio/create-message.schema.json' with {
  type: 'json',
};
import { twilioSender } from './index';

const accountSid = `AC${'a1'.repeat(16)}`;
const authToken = 'test-auth-token-0123456789abcdef';
const from = '+15005550006';
const waFrom = '+14155238886';
const serviceSid = `MG${'b2'.repeat(16)}`;
const hx = (c: string) => `HX${c.repeat(32)}`;
const vid = 'T'.repeat(32) + 'n'.repeat(22);
const ref = `${'T'.repeat(32)}Tag-0_9z`;

/** Twilio's CreateMessage schema, every field required to be one it documents. */
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
// Twilio's `phone-number` format: E.164, or a channel address such as `whatsapp:+15552229999`.
ajv.addFormat('phone-number', /^(?:[a-z]+:)?\+[1-9]\d{1,14}$|^[A-Za-z0-9 ]{1,11}$/);
const validate = ajv.compile({
  ...createMessage.schema,
  additionalProperties: false,
  components: createMessage.components,
});
const checkAgainstSpec = (fields: Map<string, string[]>) => {
  const ok = validate(Object.fromEntries([...fields].map(([k, v]) => [k, v[0]])));
  return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
};

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

let fake: TwilioFake;
beforeEach(async () => {
  fake = await startTwilioFake({
    accountSid,
    authToken,
    numbers: [from],
    messagingServiceSid: serviceSid,
    whatsappNumbers: [waFrom],
    contents: { [hx('e')]: ['1'], [hx('f')]: ['1'], [hx('c')]: ['code'] },
  });
});
afterEach(() => fake.close());

const make = (whatsapp: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  twilioSender({
    accountSid,
    authToken,
    from,
    baseUrl: fake.url,
    retry: false,
    whatsapp: { from: waFrom, templates: { en: hx('e'), 'pt-BR': hx('f') }, ...whatsapp },
    ...extra,
  } as never);

describe('twilioSender on WhatsApp: the request Twilio documents', () => {
  it('POST Messages.json: whatsapp: To and From, ContentSid, ContentVariables {"1": code}', async () => {
    const sender = make({}, { statusCallback: 'https://hooks.example.com/twilio/status' });
    expect(sender.channels).toEqual(['sms', 'voice', 'whatsapp']);
    const outcome = await sender.send(wa());
    expect(outcome).toMatchObject({ ok: true, provider: 'twilio' });
    expect(fake.violations).toEqual([]);
    expect(fake.requests[0]!.url).toBe(`/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect([...fake.fields(0)]).toEqual([
      ['To', ['whatsapp:+5511987654321']],
      ['From', [`whatsapp:${waFrom}`]],
      ['ContentSid', [hx('e')]],
      ['ContentVariables', ['{"1":"123456"}']],
      ['StatusCallback', [`https://hooks.example.com/twilio/status?ref=${ref}`]],
    ]);
    expect(checkAgainstSpec(fake.fields(0))).toEqual([]);
    expect(fake.requests[0]!.body).not.toContain('Acme');
  });

  it('the locale picks the Content SID (exact, language, default); the code variable is configurable', async () => {
    const sender = make({
      templates: { en: hx('e'), 'pt-BR': hx('f'), es: hx('c') },
      codeVariable: 'code',
    });
    await sender.send(wa({ locale: 'es-AR' }));
    expect(fake.violations).toEqual([]);
    expect(fake.fields(0).get('ContentSid')).toEqual([hx('c')]);
    expect(fake.fields(0).get('ContentVariables')).toEqual(['{"code":"123456"}']);
    expect(checkAgainstSpec(fake.fields(0))).toEqual([]);
    await make().send(wa({ locale: 'pt-BR' }));
    await make().send(wa({ locale: 'ja' }));
    expect(fake.fields(1).get('ContentSid')).toEqual([hx('f')]);
    expect(fake.fields(2).get('ContentSid')).toEqual([hx('e')]);
  });

  it('without whatsapp.from, through the Messaging Service (its WhatsApp sender)', async () => {
    const sender = make({ from: undefined }, { from: undefined, messagingServiceSid: serviceSid });
    expect((await sender.send(wa())).ok).toBe(true);
    expect(fake.violations).toEqual([]);
    expect(fake.fields(0).get('MessagingServiceSid')).toEqual([serviceSid]);
    expect(fake.fields(0).has('From')).toBe(false);
    expect(checkAgainstSpec(fake.fields(0))).toEqual([]);
  });

  it('the SMS requests also match the published schema', async () => {
    await make().send({ ...wa(), channel: 'sms', to: '+14155550100' });
    expect(fake.violations).toEqual([]);
    expect(checkAgainstSpec(fake.fields(0))).toEqual([]);
  });

  it('the schema check can fail: a bare number, an unknown field, a malformed Content SID', () => {
    const f = (pairs: Array<[string, string]>) => new Map(pairs.map(([k, v]) => [k, [v]]));
    expect(checkAgainstSpec(f([['To', 'whatsapp:5511987654321']]))).not.toEqual([]);
    expect(
      checkAgainstSpec(
        f([
          ['To', '+14155550100'],
          ['Template', 'x'],
        ]),
      ),
    ).not.toEqual([]);
    expect(
      checkAgainstSpec(
        f([
          ['To', '+14155550100'],
          ['ContentSid', 'HX1'],
        ]),
      ),
    ).not.toEqual([]);
    expect(checkAgainstSpec(f([['Body', 'no To']]))).not.toEqual([]);
  });

  it('without the whatsapp option, WhatsApp is channel_unsupported and nothing is sent', async () => {
    const sender = twilioSender({ accountSid, authToken, from, baseUrl: fake.url });
    expect(sender.channels).toEqual(['sms', 'voice']);
    expect(await sender.send(wa())).toMatchObject({
      ok: false,
      error: { reason: 'channel_unsupported' },
    });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('twilioSender on WhatsApp: errors and status callbacks', () => {
  it.each([
    [twilioError(63003, 400, 'Channel could not find To address'), 'permanent', 'not_on_whatsapp'],
    [twilioError(63024, 400, 'Invalid message recipient'), 'permanent', 'not_on_whatsapp'],
    [twilioError(63018, 429, 'Rate limit exceeded for Channel'), 'retryable', 'throttled'],
    [twilioError(63027, 400, 'Template does not exist'), 'retryable', 'provider_config'],
  ])('%#: %s %s', async (reply, kind, reason) => {
    fake.queue(reply);
    expect(await make().send(wa())).toMatchObject({ ok: false, error: { kind, reason } });
  });

  it('an unregistered WhatsApp sender is 63007 at Twilio: provider_config', async () => {
    const outcome = await make({ from: '+15005550006' }).send(wa());
    expect(outcome).toMatchObject({
      ok: false,
      error: { reason: 'provider_config', providerCode: 63007 },
    });
  });

  it('a status callback for a WhatsApp message is a whatsapp report, To without its prefix', () => {
    const report = parseTwilioStatus(
      {
        MessageSid: `MM${'0'.repeat(32)}`,
        MessageStatus: 'undelivered',
        ErrorCode: '63024',
        To: 'whatsapp:+5511987654321',
        From: `whatsapp:${waFrom}`,
        ChannelPrefix: 'whatsapp',
      },
      `https://hooks.example.com/twilio/status?ref=${ref}`,
    )._unsafeUnwrap();
    expect(report).toMatchObject({
      channel: 'whatsapp',
      state: 'failed',
      to: '+5511987654321',
      ref,
      error: { kind: 'permanent', reason: 'not_on_whatsapp', providerCode: 63024 },
    });
  });
});

describe('twilioSender on WhatsApp: configuration is checked at construction', () => {
  it.each([
    [{ from: '14155238886' }, /whatsapp.from must be E.164/],
    [{ templates: { en: 'HX1' } }, /whatsapp.templates\["en"\]: not a Content SID/],
    [{ templates: { fr: hx('e') } }, /default locale "en"/],
    [{ templates: undefined }, /whatsapp.templates/],
    [{ codeVariable: '{{1}}' }, /codeVariable/],
  ])('%o', (whatsapp, message) => {
    expect(() => make(whatsapp)).toThrow(message);
  });

  it('whatsapp without from needs a Messaging Service', () => {
    expect(() => make({ from: undefined })).toThrow(/whatsapp.from \(or messagingServiceSid\)/);
  });
});
