import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { twilioStatusWebhook } from '../../adapters/twilio/index';
import { callbackFor, deliveryRef, refOf, withRef } from '../../src/delivery/report';
import { twilioSignature, validateTwilioSignature } from '../../src/delivery/twilio-signature';
import { parseTwilioStatus } from '../../src/delivery/twilio-status';
import { parseVonageMessageStatus } from '../../src/delivery/vonage-messages-status';
import { parseVonageCallEvent, parseVonageReceipt } from '../../src/delivery/vonage-status';
import { parseWhatsAppWebhook } from '../../src/delivery/whatsapp-status';

// Twilio's documented request-validation example (the docs have used both callers).
const DOC_URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const docParams = (caller: string) => ({
  CallSid: 'CA1234567890ABCDE',
  Caller: caller,
  Digits: '1234',
  From: caller,
  To: '+18005551212',
});

describe('X-Twilio-Signature', () => {
  it('matches the signatures in Twilio documentation', () => {
    expect(twilioSignature('12345', DOC_URL, docParams('+14158675309'))).toBe(
      'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
    );
    expect(twilioSignature('12345', DOC_URL, docParams('+14158675310'))).toBe(
      'GvWf1cFY/Q7PnoempGyD5oXAezc=',
    );
  });

  const params = docParams('+14158675309');
  const signature = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

  it('accepts the signed request, from a form body too', () => {
    expect(validateTwilioSignature({ authToken: '12345', signature, url: DOC_URL, params })).toBe(
      true,
    );
    const form = new URLSearchParams(params);
    expect(
      validateTwilioSignature({ authToken: '12345', signature, url: DOC_URL, params: form }),
    ).toBe(true);
  });

  it.each([
    ['a tampered parameter', { params: { ...params, Digits: '9999' } }],
    ['an added parameter', { params: { ...params, Extra: 'x' } }],
    ['another URL', { url: 'https://mycompany.com/myapp.php?foo=1&bar=3' }],
    ['another token', { authToken: '54321' }],
    ['no signature', { signature: undefined }],
    ['an empty signature', { signature: '' }],
    ['a malformed URL', { url: 'not a url' }],
  ])('refuses %s', (_name, change) => {
    expect(
      validateTwilioSignature({ authToken: '12345', signature, url: DOC_URL, params, ...change }),
    ).toBe(false);
  });

  it('accepts any token of a rotation list', () => {
    expect(
      validateTwilioSignature({
        authToken: ['new-token', '12345'],
        signature,
        url: DOC_URL,
        params,
      }),
    ).toBe(true);
  });

  it('accepts a signature computed with or without the default port', () => {
    const withPort = twilioSignature('tok', 'https://hooks.example.com:443/s?ref=a', { A: '1' });
    expect(
      validateTwilioSignature({
        authToken: 'tok',
        signature: withPort,
        url: 'https://hooks.example.com/s?ref=a',
        params: { A: '1' },
      }),
    ).toBe(true);
    const without = twilioSignature('tok', 'https://hooks.example.com/s', { A: '1' });
    expect(
      validateTwilioSignature({
        authToken: 'tok',
        signature: without,
        url: 'https://hooks.example.com:443/s',
        params: { A: '1' },
      }),
    ).toBe(true);
  });

  it('signs repeated parameters value by value, sorted', () => {
    const form = new URLSearchParams([
      ['B', '2'],
      ['A', 'z'],
      ['A', 'y'],
    ]);
    const expected = createHmac('sha1', 'tok').update('https://x.example/hAyAzB2').digest('base64');
    expect(twilioSignature('tok', 'https://x.example/h', form)).toBe(expected);
  });

  it('validates JSON bodies through bodySHA256', () => {
    const body = '{"CallSid":"CA1234567890ABCDE","Caller":"+12349013030"}';
    const url =
      'https://example.com/myapp?bodySHA256=5ccde7145dfb8f56479710896586cb9d5911809d83afbe34627818790db0aec9';
    const sig = twilioSignature('tok', url, {});
    expect(validateTwilioSignature({ authToken: 'tok', signature: sig, url, body })).toBe(true);
    expect(
      validateTwilioSignature({ authToken: 'tok', signature: sig, url, body: `${body} ` }),
    ).toBe(false);
    expect(validateTwilioSignature({ authToken: 'tok', signature: sig, url })).toBe(false);
  });
});

describe('Twilio status callbacks', () => {
  const base = {
    AccountSid: `AC${'0'.repeat(32)}`,
    From: '+15005550006',
    To: '+14155550100',
    ApiVersion: '2010-04-01',
  };

  it('message delivered', () => {
    const r = parseTwilioStatus(
      {
        ...base,
        MessageSid: 'SM1',
        SmsSid: 'SM1',
        MessageStatus: 'delivered',
        SmsStatus: 'delivered',
      },
      `https://hooks.example.com/s?ref=${'K'.repeat(32)}`,
    );
    expect(r._unsafeUnwrap()).toEqual({
      provider: 'twilio',
      messageId: 'SM1',
      channel: 'sms',
      state: 'delivered',
      providerStatus: 'delivered',
      to: '+14155550100',
      ref: 'K'.repeat(32),
    });
  });

  it.each([
    ['30006', 'permanent', 'not_mobile'],
    ['30005', 'permanent', 'invalid_number'],
    ['30004', 'permanent', 'blocked'],
    ['30003', 'retryable', 'unreachable'],
    ['30007', 'retryable', 'filtered'],
    ['39999', 'retryable', 'provider_error'],
  ])('undelivered with ErrorCode %s → failed, %s %s', (code, kind, reason) => {
    const r = parseTwilioStatus({
      ...base,
      MessageSid: 'SM2',
      MessageStatus: 'undelivered',
      ErrorCode: code,
    });
    expect(r._unsafeUnwrap()).toMatchObject({
      state: 'failed',
      providerStatus: 'undelivered',
      error: { kind, reason, provider: 'twilio', providerCode: Number(code) },
    });
  });

  it.each([
    ['queued', 'queued'],
    ['sending', 'queued'],
    ['sent', 'sent'],
    ['read', 'delivered'],
  ])('message %s → %s', (status, state) => {
    expect(
      parseTwilioStatus({ MessageSid: 'SM3', MessageStatus: status })._unsafeUnwrap().state,
    ).toBe(state);
  });

  it.each([
    ['completed', 'delivered', undefined],
    ['ringing', 'sent', undefined],
    ['no-answer', 'failed', 'unreachable'],
    ['busy', 'failed', 'unreachable'],
    ['failed', 'failed', 'provider_error'],
  ])('call %s → %s', (status, state, reason) => {
    const r = parseTwilioStatus({ ...base, CallSid: 'CA1', CallStatus: status })._unsafeUnwrap();
    expect(r).toMatchObject({ channel: 'voice', messageId: 'CA1', state });
    expect(r.error?.reason).toBe(reason);
  });

  it.each([
    [{ MessageStatus: 'delivered' }, /MessageSid/],
    [{ MessageSid: 'SM1' }, /no status/],
    [{ MessageSid: 'SM1', MessageStatus: 'received' }, /not an outbound/],
  ])('refuses %o', (params, message) => {
    const r = parseTwilioStatus(params);
    expect(r._unsafeUnwrapErr()).toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(message),
    });
  });

  it('twilioStatusWebhook checks the signature before parsing', () => {
    const hook = twilioStatusWebhook({ authToken: 'tok' });
    const url = 'https://hooks.example.com/twilio?ref=abc';
    const sid = `SM${'9'.repeat(32)}`;
    const params = { MessageSid: sid, MessageStatus: 'failed', ErrorCode: '21610' };
    const signature = twilioSignature('tok', url, params);
    expect(hook({ url, signature, params })._unsafeUnwrap()).toMatchObject({
      messageId: sid,
      state: 'failed',
      ref: 'abc',
      error: { reason: 'unsubscribed' },
    });
    expect(hook({ url, signature: 'forged', params })._unsafeUnwrapErr().code).toBe(
      'invalid_request',
    );
    expect(() => twilioStatusWebhook({ authToken: '' })).toThrow(/authToken/);
  });
});

describe('Vonage delivery receipts and call events', () => {
  const receipt = {
    msisdn: '447700900001',
    to: 'Acme',
    'network-code': '23410',
    messageId: '0A0000001234567B',
    price: '0.03330000',
    status: 'delivered',
    scts: '2001011400',
    'err-code': '0',
    'api-key': 'abcd1234',
    'client-ref': 'R'.repeat(32),
    'message-timestamp': '2020-01-01 14:00:00',
  };

  it('delivered', () => {
    expect(parseVonageReceipt(receipt)._unsafeUnwrap()).toEqual({
      provider: 'vonage',
      messageId: '0A0000001234567B',
      channel: 'sms',
      state: 'delivered',
      providerStatus: 'delivered',
      to: '+447700900001',
      at: Date.UTC(2020, 0, 1, 14, 0, 0),
      ref: 'R'.repeat(32),
    });
  });

  it('reads a GET query string the same way', () => {
    const q = new URLSearchParams(receipt);
    expect(parseVonageReceipt(q)._unsafeUnwrap().state).toBe('delivered');
  });

  it.each([
    ['failed', '3', 'permanent', 'invalid_number'],
    ['failed', '9', 'permanent', 'invalid_number'],
    ['rejected', '14', 'permanent', 'blocked'],
    ['rejected', '6', 'retryable', 'filtered'],
    ['expired', '2', 'retryable', 'unreachable'],
    ['expired', '', 'retryable', 'unreachable'],
    ['failed', '99', 'retryable', 'provider_error'],
  ])('%s err-code %s → %s %s', (status, code, kind, reason) => {
    const r = parseVonageReceipt({ ...receipt, status, 'err-code': code })._unsafeUnwrap();
    expect(r).toMatchObject({ state: 'failed', error: { kind, reason } });
  });

  it.each([
    ['accepted', 'sent'],
    ['buffered', 'sent'],
  ])('%s → %s', (status, state) => {
    expect(parseVonageReceipt({ ...receipt, status })._unsafeUnwrap().state).toBe(state);
  });

  it('refuses what is not a receipt', () => {
    expect(parseVonageReceipt({ status: 'delivered' }).isErr()).toBe(true);
    expect(parseVonageReceipt({ ...receipt, status: 'weird' }).isErr()).toBe(true);
  });

  it.each([
    ['answered', 'delivered', undefined],
    ['completed', 'delivered', undefined],
    ['ringing', 'sent', undefined],
    ['busy', 'failed', 'unreachable'],
    ['unanswered', 'failed', 'unreachable'],
    ['failed', 'failed', 'provider_error'],
  ])('call event %s → %s', (status, state, reason) => {
    const r = parseVonageCallEvent(
      {
        uuid: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
        conversation_uuid: 'CON-x',
        status,
        direction: 'outbound',
        from: '447700900000',
        to: '447700900001',
        timestamp: '2020-01-01T14:00:00.000Z',
      },
      `https://hooks.example.com/ev?ref=${'R'.repeat(32)}`,
    )._unsafeUnwrap();
    expect(r).toMatchObject({ channel: 'voice', state, to: '+447700900001', ref: 'R'.repeat(32) });
    expect(r.error?.reason).toBe(reason);
  });
});

describe('correlation reference', () => {
  it('is the phone-key part of a verification id and round-trips through a callback URL', () => {
    const id = `${'p'.repeat(32)}${'n'.repeat(22)}`;
    expect(deliveryRef(id)).toBe('p'.repeat(32));
    const url = withRef('https://hooks.example.com/s?x=1', id);
    expect(url).toBe(`https://hooks.example.com/s?x=1&ref=${'p'.repeat(32)}`);
    expect(refOf(url)).toBe('p'.repeat(32));
    expect(refOf('/s?ref=%3Cscript%3E')).toBeUndefined();
    expect(refOf('/s')).toBeUndefined();
  });

  it("a sender's callback option: its function's URL, else its URL with the message's ref", () => {
    const m = { verificationId: 'v'.repeat(54), ref: `${'v'.repeat(32)}T1` } as never;
    expect(callbackFor('https://hooks.example.com/s', m)).toBe(
      `https://hooks.example.com/s?ref=${'v'.repeat(32)}T1`,
    );
    expect(callbackFor((x) => `https://h.example.com/${(x as { ref: string }).ref}`, m)).toBe(
      `https://h.example.com/${'v'.repeat(32)}T1`,
    );
    expect(callbackFor(() => undefined, m)).toBeUndefined();
    expect(callbackFor(undefined, m)).toBeUndefined();
  });

  /** The `ref` each status parser reports when the provider's reference field is `ref`. */
  const parsed: readonly [string, (ref: string) => string | undefined][] = [
    [
      'Twilio status (URL)',
      (ref) =>
        parseTwilioStatus(
          { MessageSid: 'SM1', MessageStatus: 'sent' },
          `/s?ref=${encodeURIComponent(ref)}`,
        )._unsafeUnwrap().ref,
    ],
    [
      'Vonage call event (URL)',
      (ref) =>
        parseVonageCallEvent(
          { uuid: 'u', status: 'ringing' },
          `/s?ref=${encodeURIComponent(ref)}`,
        )._unsafeUnwrap().ref,
    ],
    [
      'Vonage receipt (client-ref)',
      (ref) =>
        parseVonageReceipt({
          messageId: 'm',
          status: 'delivered',
          'client-ref': ref,
        })._unsafeUnwrap().ref,
    ],
    [
      'Vonage Messages status (client_ref)',
      (ref) =>
        parseVonageMessageStatus({
          message_uuid: 'm',
          status: 'delivered',
          channel: 'whatsapp',
          client_ref: ref,
        })._unsafeUnwrap().ref,
    ],
    [
      'WhatsApp status (biz_opaque_callback_data)',
      (ref) =>
        parseWhatsAppWebhook({
          object: 'whatsapp_business_account',
          entry: [
            {
              changes: [
                {
                  field: 'messages',
                  value: {
                    statuses: [{ id: 'wamid.1', status: 'sent', biz_opaque_callback_data: ref }],
                  },
                },
              ],
            },
          ],
        })._unsafeUnwrap().reports[0]?.ref,
    ],
  ];

  it.each(parsed)('%s: a well-formed reference is kept, any other dropped', (_name, refFrom) => {
    for (const good of ['a', `${'K'.repeat(32)}Tag-0_9z`, 'x'.repeat(64)]) {
      expect(refFrom(good)).toBe(good);
    }
    for (const bad of ['x'.repeat(65), '<script>', 'a b', 'a.b', 'é']) {
      expect(refFrom(bad)).toBeUndefined();
    }
  });
});
