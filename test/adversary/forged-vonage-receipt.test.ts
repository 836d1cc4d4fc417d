/**
 * Forged Vonage SMS delivery receipts and Voice call events, over real sockets. The attacker
 * knows the app's receipt and event URLs, the victim's number and (from a leaked log or a
 * captured request) the send's reference and the provider's message id. What they want: a
 * forged failure falsifies the send's record (and, for an SMS, could trigger the voice
 * fallback: a new code, a call paid for); a forged delivery hides a failure.
 *
 * The app's routes are written as docs/providers/vonage.md shows them, on node:http:
 * - receipts (GET query or POST form/JSON) through `vonageReceiptWebhook` (`sig`): unsigned,
 *   wrong secret, altered after signing, stale `timestamp`, a repeated field (form or JSON
 *   list), a name folding `client-ref` into another: 401; the genuine receipt is applied.
 * - call events (POST JSON to `event_url?ref=`) through `vonageCallWebhook` (JWT): unsigned,
 *   wrong secret, body altered after signing, `iat` too old, the signed JSON re-sent as a
 *   form: 401; the genuine event is applied.
 * Every refusal leaves the attempts as they were; the genuine report is the control.
 */
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import {
  vonageCallWebhook,
  vonageReceiptWebhook,
  vonageSender,
  vonageSignature,
} from '../../adapters/vonage/index';
import type { DeliveryReport } from '../../src/delivery/report';
import { createVerifier } from '../../src/index';
import type { Verifier } from '../../src/verifier/types';
import { startVonageFake, type VonageFake } from '../fakes/vonage';

const KEY = 'abcd1234';
const API_SECRET = 'secret-5678';
const SIGNATURE_SECRET = 'vonage-signature-secret-receipt-adversary';
const APP_ID = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const VICTIM = '+447911123456';
const PUBLIC = 'https://hooks.acme.example';
const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

let fake: VonageFake;
beforeEach(async () => {
  fake = await startVonageFake({
    apiKey: KEY,
    apiSecret: API_SECRET,
    applicationId: APP_ID,
    publicKey: keys.publicKey,
  });
  closers.push(() => fake.close());
});

/** The app: a verifier sending through Vonage, and its two delivery routes on node:http. */
async function app() {
  const verifier = createVerifier({
    secret: 'forged-vonage-receipt-secret-0123456789!',
    store: memoryStore(),
    sender: vonageSender({
      apiKey: KEY,
      apiSecret: API_SECRET,
      from: '+447700900000',
      baseUrl: fake.url,
      retry: false,
      statusCallback: `${PUBLIC}/hooks/vonage/receipt`,
      voice: {
        applicationId: APP_ID,
        privateKey: keys.privateKey,
        baseUrl: fake.url,
        eventUrl: `${PUBLIC}/hooks/vonage/event`,
      },
    }),
    abuse: false,
  });
  const readReceipt = vonageReceiptWebhook({ signatureSecret: SIGNATURE_SECRET });
  const readEvent = vonageCallWebhook({ signatureSecret: SIGNATURE_SECRET });
  const apply = async (report: ReturnType<typeof readEvent>) => {
    if (report.isErr()) {
      return report.error.code === 'signature_invalid' ? 401 : 400;
    }
    const r = await verifier.delivery({ report: report.value as DeliveryReport });
    return r.isOk() ? 200 : r.error.code === 'not_found' ? 404 : 400;
  };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let status = 404;
    if (url.pathname === '/hooks/vonage/receipt') {
      // GET: the query; POST: a form or JSON body, as Vonage may send either.
      const json = (req.headers['content-type'] ?? '').startsWith('application/json');
      const params =
        req.method === 'GET'
          ? url.searchParams
          : json
            ? (JSON.parse(raw.toString()) as Record<string, string>)
            : new URLSearchParams(raw.toString());
      status = await apply(readReceipt({ params }));
    } else if (url.pathname === '/hooks/vonage/event' && req.method === 'POST') {
      status = await apply(
        readEvent({ url: url.pathname + url.search, headers: req.headers, rawBody: raw }),
      );
    }
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closers.push(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { verifier, origin };
}

const states = async (verifier: Verifier, id: string) =>
  (await verifier.status({ id }))._unsafeUnwrap().attempts?.map((a) => `${a.channel}:${a.state}`);

describe('forged Vonage SMS delivery receipts (sig)', () => {
  async function setup() {
    const { verifier, origin } = await app();
    const id = (await verifier.start({ phone: VICTIM }))._unsafeUnwrap().id;
    const sent = fake.requests.length - 1;
    const ref = fake.fields(sent).get('client-ref')?.[0] ?? '';
    // The receipt URL as Vonage calls it: the callback with its `?ref=`, then the receipt.
    const callback = new URL(fake.fields(sent).get('callback')?.[0] ?? '');
    expect(callback.searchParams.get('ref')).toBe(ref);
    const reply = fake.replies[sent]!.body as { messages: { 'message-id': string }[] };
    const messageId = reply.messages[0]!['message-id'];
    const receipt = (status: string, o: { ts?: number } = {}): Record<string, string> => ({
      msisdn: VICTIM.slice(1),
      to: 'Acme',
      'network-code': '23410',
      messageId,
      price: '0.03330000',
      status,
      scts: '2510090853',
      'err-code': status === 'failed' ? '3' : '0',
      'message-timestamp': '2025-10-09 08:53:20',
      'client-ref': ref,
      timestamp: String(o.ts ?? Math.floor(Date.now() / 1000)),
      nonce: randomUUID(),
    });
    const sign = (
      p: Record<string, string>,
      secret = SIGNATURE_SECRET,
    ): Record<string, string> => ({
      ...p,
      sig: vonageSignature(secret, p),
    });
    const get = async (q: URLSearchParams | Record<string, string>) =>
      (await fetch(`${origin}${callback.pathname}${callback.search}&${new URLSearchParams(q)}`))
        .status;
    const postForm = async (q: URLSearchParams | Record<string, string>) =>
      (
        await fetch(`${origin}/hooks/vonage/receipt`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(q).toString(),
        })
      ).status;
    const postJson = async (body: unknown) =>
      (
        await fetch(`${origin}/hooks/vonage/receipt`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).status;
    return { verifier, id, receipt, sign, get, postForm, postJson };
  }

  it('unsigned, wrong secret, altered after signing, stale: 401, nothing changes', async () => {
    const { verifier, id, receipt, sign, get, postForm, postJson } = await setup();
    const forged = receipt('failed');
    expect(await get(forged)).toBe(401);
    expect(await postForm(forged)).toBe(401);
    expect(await postJson(forged)).toBe(401);
    expect(await get(sign(forged, 'not-the-secret'))).toBe(401);
    // A genuine "delivered", its status (or its reference) changed after signing.
    const delivered = sign(receipt('delivered'));
    expect(await get({ ...delivered, status: 'failed', 'err-code': '3' })).toBe(401);
    expect(await get({ ...delivered, 'client-ref': `${delivered['client-ref']}x` })).toBe(401);
    // Signed with the right secret, but six minutes old.
    const stale = sign(receipt('failed', { ts: Math.floor(Date.now() / 1000) - 360 }));
    expect(await get(stale)).toBe(401);
    expect(await states(verifier, id)).toEqual(['sms:queued']);
  });

  it('repeated fields and names folding client-ref: 401', async () => {
    const { verifier, id, receipt, sign, get, postForm, postJson } = await setup();
    const genuine = sign(receipt('delivered'));
    const twice = new URLSearchParams(genuine);
    twice.append('status', 'failed');
    expect(await get(twice)).toBe(401);
    expect(await postForm(twice)).toBe(401);
    const first = new URLSearchParams([['status', 'failed'], ...new URLSearchParams(genuine)]);
    expect(await postForm(first)).toBe(401);
    expect(await postJson({ ...genuine, status: ['failed', 'delivered'] })).toBe(401);
    // `client-ref` folded into another parameter's name: signed alike, never verifies.
    const { 'client-ref': ref, 'message-timestamp': ts, ...rest } = receipt('failed');
    const folded = { ...rest, [`message-timestamp=${ts}&client-ref`]: ref as string };
    expect(await get(sign(folded))).toBe(401);
    expect(await states(verifier, id)).toEqual(['sms:queued']);
  });

  it('the genuine signed receipt is applied (GET, form and JSON alike)', async () => {
    const { verifier, id, receipt, sign, get, postForm, postJson } = await setup();
    expect(await get(sign(receipt('accepted')))).toBe(200);
    expect(await states(verifier, id)).toEqual(['sms:sent']);
    expect(await postJson(sign(receipt('accepted')))).toBe(200);
    expect(await postForm(sign(receipt('delivered')))).toBe(200);
    expect(await states(verifier, id)).toEqual(['sms:delivered']);
  });
});

describe('forged Vonage Voice call events (JWT)', () => {
  async function setup() {
    const { verifier, origin } = await app();
    const id = (await verifier.start({ phone: VICTIM, channel: 'voice' }))._unsafeUnwrap().id;
    const sent = fake.requests.length - 1;
    const request = JSON.parse(fake.requests[sent]!.body) as { event_url: string[] };
    const target = new URL(request.event_url[0]!);
    const uuid = (fake.replies[sent]!.body as { uuid: string }).uuid;
    const event = (status: string) =>
      JSON.stringify({
        uuid,
        conversation_uuid: `CON-${randomUUID()}`,
        status,
        direction: 'outbound',
        from: '447700900000',
        to: VICTIM.slice(1),
        timestamp: new Date().toISOString(),
      });
    const nowS = () => Math.floor(Date.now() / 1000);
    const jwt = (body: string, o: { secret?: string; iat?: number } = {}) =>
      new SignJWT({
        iss: 'Vonage',
        jti: randomUUID(),
        api_key: KEY,
        application_id: APP_ID,
        payload_hash: createHash('sha256').update(body).digest('hex'),
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(o.iat ?? nowS())
        .sign(new TextEncoder().encode(o.secret ?? SIGNATURE_SECRET));
    const post = async (body: string, token?: string, type = 'application/json') =>
      (
        await fetch(`${origin}${target.pathname}${target.search}`, {
          method: 'POST',
          body,
          headers: {
            'content-type': type,
            ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
          },
        })
      ).status;
    return { verifier, id, event, jwt, nowS, post };
  }

  it('unsigned, wrong secret, altered after signing, too old, re-sent as a form: 401', async () => {
    const { verifier, id, event, jwt, nowS, post } = await setup();
    const forged = event('busy');
    expect(await post(forged)).toBe(401);
    expect(await post(forged, await jwt(forged, { secret: 'not-the-secret' }))).toBe(401);
    const answered = event('answered');
    expect(await post(answered.replace('answered', 'busy'), await jwt(answered))).toBe(401);
    expect(await post(forged, await jwt(forged, { iat: nowS() - 6 * 60 }))).toBe(401);
    const token = await jwt(forged);
    expect(await post(forged, token, 'application/x-www-form-urlencoded')).toBe(401);
    expect(await states(verifier, id)).toEqual(['voice:queued']);
    // The control: the same bytes and token, as Vonage sends them.
    expect(await post(forged, token)).toBe(200);
    expect(await states(verifier, id)).toEqual(['voice:failed']);
  });
});
