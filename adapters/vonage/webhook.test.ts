/**
 * Unit tests of the authenticated Vonage delivery webhooks: `vonageStatusWebhook`,
 * `vonageCallWebhook` (JWT over the raw body) and `vonageReceiptWebhook` (`sig`).
 * @module
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  vonageCallWebhook,
  vonageReceiptWebhook,
  vonageSignature,
  vonageStatusWebhook,
} from './index';

const SECRET = 'unit-vonage-signature-secret-0123456789';
const NOW = 1_760_000_000_000;
const now = () => NOW;
const APP = '5f2c1a7e-0b7d-4f1e-9a57-7f1c7d2b9e11';

const status = JSON.stringify({
  message_uuid: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
  to: '447700900001',
  from: '447700900123',
  timestamp: '2025-10-09T08:53:20Z',
  status: 'delivered',
  channel: 'whatsapp',
  client_ref: `${'R'.repeat(32)}tag01234`,
});
const call = JSON.stringify({
  uuid: 'cccccccc-bbbb-cccc-dddd-0123456789ab',
  conversation_uuid: 'CON-1',
  status: 'busy',
  to: '447700900001',
  timestamp: '2025-10-09T08:53:20.000Z',
});

const jwt = (
  body: string,
  o: { secret?: string; iat?: number; app?: string; key?: string; hash?: string } = {},
) =>
  new SignJWT({
    iss: 'Vonage',
    jti: randomUUID(),
    api_key: o.key ?? 'abcd1234',
    application_id: o.app ?? APP,
    payload_hash: o.hash ?? createHash('sha256').update(body).digest('hex'),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(o.iat ?? NOW / 1000)
    .sign(new TextEncoder().encode(o.secret ?? SECRET));

const req = async (body: string, token?: string, type = 'application/json') => ({
  headers: {
    'content-type': type,
    ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
  },
  rawBody: body,
});

describe('vonageStatusWebhook', () => {
  const read = vonageStatusWebhook({ signatureSecret: SECRET, now });

  it('a signed status parses from the signed bytes (string or bytes)', async () => {
    const r = read(await req(status, await jwt(status)))._unsafeUnwrap();
    expect(r).toMatchObject({
      provider: 'vonage',
      state: 'delivered',
      channel: 'whatsapp',
      ref: `${'R'.repeat(32)}tag01234`,
    });
    const bytes = { ...(await req(status, await jwt(status))), rawBody: Buffer.from(status) };
    expect(read(bytes)._unsafeUnwrap()).toEqual(r);
    const charset = await req(status, await jwt(status), 'application/json; charset=utf-8');
    expect(read(charset).isOk()).toBe(true);
  });

  it('unsigned, wrong secret, stale, other body, other content type: signature_invalid', async () => {
    const code = async (r: Parameters<typeof read>[0]) => read(r)._unsafeUnwrapErr().code;
    expect(await code(await req(status))).toBe('signature_invalid');
    expect(await code(await req(status, await jwt(status, { secret: 'other' })))).toBe(
      'signature_invalid',
    );
    expect(await code(await req(status, await jwt(status, { iat: NOW / 1000 - 301 })))).toBe(
      'signature_invalid',
    );
    expect(await code(await req(`${status} `, await jwt(status)))).toBe('signature_invalid');
    const form = await req(status, await jwt(status), 'application/x-www-form-urlencoded');
    expect(await code(form)).toBe('signature_invalid');
    expect(await code({ headers: {}, rawBody: undefined })).toBe('signature_invalid');
    // A body a framework already parsed is not the signed bytes.
    const parsed = { ...(await req(status, await jwt(status))), rawBody: JSON.parse(status) };
    expect(await code(parsed)).toBe('signature_invalid');
    // A repeated Authorization header (a list) is not a token.
    const token = await jwt(status);
    const twice = { headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] } };
    expect(await code({ ...(await req(status)), ...twice })).toBe('signature_invalid');
  });

  it('a rotation list accepts either secret; maxAgeMs widens the window', async () => {
    const both = vonageStatusWebhook({ signatureSecret: ['old-secret', SECRET], now });
    expect(both(await req(status, await jwt(status))).isOk()).toBe(true);
    const wide = vonageStatusWebhook({ signatureSecret: SECRET, now, maxAgeMs: 600_000 });
    expect(wide(await req(status, await jwt(status, { iat: NOW / 1000 - 500 }))).isOk()).toBe(true);
  });

  it('apiKey / applicationId, when set, must match the claims', async () => {
    const scoped = vonageStatusWebhook({
      signatureSecret: SECRET,
      now,
      apiKey: 'abcd1234',
      applicationId: APP,
    });
    expect(scoped(await req(status, await jwt(status))).isOk()).toBe(true);
    const otherApp = await req(status, await jwt(status, { app: randomUUID() }));
    expect(scoped(otherApp)._unsafeUnwrapErr().code).toBe('signature_invalid');
    const otherKey = await req(status, await jwt(status, { key: 'zzzz9999' }));
    expect(scoped(otherKey)._unsafeUnwrapErr().code).toBe('signature_invalid');
  });

  it('a signed body that is not a status is invalid_request', async () => {
    for (const body of ['[1]', '{"status":"delivered"}', 'not json']) {
      expect(read(await req(body, await jwt(body)))._unsafeUnwrapErr().code).toBe(
        'invalid_request',
      );
    }
  });

  it('misconfiguration throws at construction', () => {
    const bad = [
      {},
      { signatureSecret: '' },
      { signatureSecret: [] },
      { signatureSecret: SECRET, maxAgeMs: 10 },
      { signatureSecret: SECRET, applicationId: '' },
    ];
    for (const o of bad) {
      expect(() => vonageStatusWebhook(o as never)).toThrow(TypeError);
    }
    expect(() => vonageStatusWebhook(undefined as never)).toThrow(/signatureSecret/);
  });
});

describe('vonageCallWebhook', () => {
  const read = vonageCallWebhook({ signatureSecret: SECRET, now });
  const url = `/hooks/vonage/event?ref=${'R'.repeat(32)}tag01234`;

  it('a signed event parses, with ref from the URL', async () => {
    const r = read({ ...(await req(call, await jwt(call))), url })._unsafeUnwrap();
    expect(r).toMatchObject({
      channel: 'voice',
      state: 'failed',
      ref: `${'R'.repeat(32)}tag01234`,
    });
  });

  it('unsigned, altered or re-typed: signature_invalid', async () => {
    expect(read({ ...(await req(call)), url })._unsafeUnwrapErr().code).toBe('signature_invalid');
    const altered = call.replace('busy', 'answered');
    const r = read({ ...(await req(altered, await jwt(call))), url });
    expect(r._unsafeUnwrapErr().code).toBe('signature_invalid');
    const form = await req(call, await jwt(call), 'text/plain');
    expect(read({ ...form, url })._unsafeUnwrapErr().code).toBe('signature_invalid');
  });
});

describe('vonageReceiptWebhook', () => {
  const read = vonageReceiptWebhook({ signatureSecret: SECRET, now });
  const receipt = {
    msisdn: '447700900001',
    to: 'Acme',
    'network-code': '23410',
    messageId: '0A0000001234567B',
    status: 'failed',
    'err-code': '7',
    'message-timestamp': '2025-10-09 08:53:20',
    'client-ref': `${'R'.repeat(32)}tag01234`,
    timestamp: String(NOW / 1000),
    nonce: 'f3b1c0de-0000-4000-8000-000000000001',
  };
  const signed = (p: Record<string, string>, secret = SECRET, method?: 'md5hash' | 'sha512') => ({
    ...p,
    sig: vonageSignature(secret, p, method),
  });

  it('a signed receipt parses (object, query string)', () => {
    const r = read({ params: signed(receipt) })._unsafeUnwrap();
    expect(r).toMatchObject({
      state: 'failed',
      messageId: '0A0000001234567B',
      to: '+447700900001',
    });
    const query = new URLSearchParams(signed(receipt));
    expect(read({ params: query })._unsafeUnwrap()).toEqual(r);
    const md5 = vonageReceiptWebhook({ signatureSecret: SECRET, now, method: 'md5hash' });
    expect(md5({ params: signed(receipt, SECRET, 'md5hash') }).isOk()).toBe(true);
  });

  it("the callback URL's ?ref= passes whether Vonage signs it or not, and is never read", () => {
    const outside = new URLSearchParams(signed(receipt));
    outside.set('ref', 'X'.repeat(40));
    const r = read({ params: outside })._unsafeUnwrap();
    expect(r.ref).toBe(receipt['client-ref']);
    const inside = signed({ ...receipt, ref: 'X'.repeat(40) });
    expect(read({ params: inside })._unsafeUnwrap().ref).toBe(receipt['client-ref']);
    // It covers nothing else: a changed status is still refused.
    outside.set('status', 'delivered');
    expect(read({ params: outside })._unsafeUnwrapErr().code).toBe('signature_invalid');
  });

  it('unsigned, wrong secret, altered, stale: signature_invalid', () => {
    const code = (params: Record<string, string> | URLSearchParams) =>
      read({ params })._unsafeUnwrapErr().code;
    expect(code(receipt)).toBe('signature_invalid');
    expect(code(signed(receipt, 'other'))).toBe('signature_invalid');
    expect(code({ ...signed(receipt), status: 'delivered' })).toBe('signature_invalid');
    const stale = { ...receipt, timestamp: String(NOW / 1000 - 301) };
    expect(code(signed(stale))).toBe('signature_invalid');
    const hmac = createHmac('sha256', SECRET).update('x').digest('hex');
    expect(code({ ...receipt, sig: hmac })).toBe('signature_invalid');
  });

  it('a repeated field, or a name holding & or =, is refused', () => {
    const genuine = signed(receipt);
    const twice = new URLSearchParams(genuine);
    twice.append('status', 'delivered');
    expect(read({ params: twice })._unsafeUnwrapErr().code).toBe('signature_invalid');
    const list = { ...genuine, status: ['failed'] } as never;
    expect(read({ params: list })._unsafeUnwrapErr().code).toBe('signature_invalid');
    // `client-ref` folded into another name: signs like the genuine one, never verifies.
    const { 'client-ref': ref, 'message-timestamp': ts, ...rest } = receipt;
    const folded = { ...rest, [`message-timestamp=${ts}&client-ref`]: ref };
    const foldedSig = { ...folded, sig: vonageSignature(SECRET, receipt) };
    expect(read({ params: foldedSig })._unsafeUnwrapErr().code).toBe('signature_invalid');
  });

  it("a signed receipt without a messageId of Vonage's shape is invalid_request", () => {
    const odd = { ...receipt, messageId: 'id_with_underscore' };
    expect(read({ params: signed(odd) })._unsafeUnwrapErr().code).toBe('invalid_request');
  });

  it('misconfiguration throws at construction', () => {
    expect(() => vonageReceiptWebhook({ signatureSecret: '' })).toThrow(TypeError);
    expect(() =>
      vonageReceiptWebhook({ signatureSecret: SECRET, method: 'sha3' as never }),
    ).toThrow(/method/);
  });
});
