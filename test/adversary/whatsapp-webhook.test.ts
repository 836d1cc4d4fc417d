/**
 * The WhatsApp Cloud API webhook (`whatsappWebhookHandler`), attacked over a real socket. The
 * attacker knows the webhook URL, a victim's number and (from a leaked log or a proxy) one
 * genuine signed notification. They post a forged "failed: not on WhatsApp" status (to push
 * the victim's code to SMS) and a forged STOP (to opt the victim out): without a signature,
 * with a made-up one, signed with another app's secret; they replay a genuine body under a
 * different signature, alter a genuine body under its own signature, replay it exactly, and
 * send oversized bodies (announced and streamed). Every refusal leaves the verification's
 * attempts, the outbox and the consent ledger exactly as they were.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import {
  whatsappCloudSender,
  whatsappSignature,
  whatsappWebhookHandler,
} from '../../adapters/whatsapp/index';
import { consent } from '../../src/consent/index';
import { createVerifier } from '../../src/index';
import { failoverSender } from '../../src/senders/failover';
import { outboxSender } from '../../src/senders/outbox';
import { startWhatsAppFake, type WhatsAppFake } from '../fakes/whatsapp';

const APP_SECRET = 'meta-app-secret-adversary-0123456789';
const VICTIM = '+5511987654321';
const MAX = 4096;

/** A node:http server in front of the Web-standard handler (the body is streamed through). */
async function serve(handler: (r: Request) => Promise<Response>) {
  const server = http.createServer(async (req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } : {}),
    } as RequestInit);
    const response = await handler(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/whatsapp`;
  return {
    url,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function notification(value: Record<string, unknown>) {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', ...value } }],
      },
    ],
  });
}

let fake: WhatsAppFake;
let running: Awaited<ReturnType<typeof serve>> | undefined;
beforeEach(async () => {
  fake = await startWhatsAppFake({
    accessToken: 'EAAG-adversary-token-0123',
    phoneNumberId: '106540352242922',
    apiVersion: 'v23.0',
    templates: ['verification_code/en_US'],
  });
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await fake.close();
});

async function setup() {
  const outbox = outboxSender();
  const verifier = createVerifier({
    secret: 'whatsapp-adversary-secret-0123456789!!',
    store: memoryStore(),
    sender: failoverSender([
      whatsappCloudSender({
        accessToken: 'EAAG-adversary-token-0123',
        phoneNumberId: '106540352242922',
        apiVersion: 'v23.0',
        templates: { en: { name: 'verification_code', language: 'en_US' } },
        baseUrl: fake.url,
        retry: false,
      }),
      { ...outbox, name: 'sms', channels: ['sms', 'voice'] },
    ]),
    consent: consent({ ledger: memoryConsentLedger() }),
  });
  const started = (await verifier.start({ phone: VICTIM, channel: 'whatsapp' }))._unsafeUnwrap();
  const sent = fake.json(0) as { biz_opaque_callback_data: string };
  const wamid = (fake.replies[0]!.body as { messages: Array<{ id: string }> }).messages[0]!.id;
  running = await serve(
    whatsappWebhookHandler(verifier, { appSecret: APP_SECRET, maxBodyBytes: MAX }),
  );
  const status = (word: string, errors?: unknown[]) =>
    notification({
      statuses: [
        {
          id: wamid,
          status: word,
          timestamp: '1750263773',
          recipient_id: VICTIM.slice(1),
          biz_opaque_callback_data: sent.biz_opaque_callback_data,
          ...(errors ? { errors } : {}),
        },
      ],
    });
  const stop = notification({
    messages: [
      {
        from: VICTIM.slice(1),
        id: 'wamid.FORGEDSTOP01',
        timestamp: '1750263800',
        type: 'text',
        text: { body: 'STOP' },
      },
    ],
  });
  /** Everything a forged request could change. */
  const state = async () => ({
    attempts: (await verifier.status({ id: started.id }))._unsafeUnwrap().attempts,
    outbox: outbox.messages.length,
    consent: (await verifier.consent.history({ phone: VICTIM }))._unsafeUnwrap(),
  });
  const post = async (body: string | Buffer, headers: Record<string, string>) => {
    const r = await fetch(running!.url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });
    return { status: r.status, json: (await r.json().catch(() => undefined)) as unknown };
  };
  const undeliverable = status('failed', [{ code: 131026, title: 'Message undeliverable.' }]);
  return { verifier, outbox, state, post, status, stop, undeliverable };
}

const sign = (body: string | Buffer, secret = APP_SECRET) => ({
  'x-hub-signature-256': whatsappSignature(secret, body),
});

describe('forged WhatsApp webhook notifications (real socket)', () => {
  it('a forged "not on WhatsApp" failure and a forged STOP: missing, made-up, other-secret signatures are 401 and change nothing', async () => {
    const k = await setup();
    const before = await k.state();
    for (const body of [k.undeliverable, k.stop]) {
      for (const headers of [
        {},
        { 'x-hub-signature-256': '' },
        { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
        { 'x-hub-signature-256': whatsappSignature(APP_SECRET, body).slice(7) },
        sign(body, 'another-apps-secret-0123456789'),
      ]) {
        const r = await k.post(body, headers);
        expect(r.status).toBe(401);
        expect(r.json).toMatchObject({ error: { code: 'signature_invalid' } });
      }
    }
    expect(await k.state()).toEqual(before);
    expect(before.outbox).toBe(0);
  });

  it('a genuine body replayed under a different signature, or altered under its own, is 401 and changes nothing', async () => {
    const k = await setup();
    const genuine = k.status('delivered');
    const before = await k.state();
    // the signature of another genuine notification
    expect((await k.post(genuine, sign(k.status('read')))).status).toBe(401);
    // the genuine signature on an altered body: failed instead of delivered, a STOP instead
    expect((await k.post(k.undeliverable, sign(genuine))).status).toBe(401);
    expect((await k.post(k.stop, sign(genuine))).status).toBe(401);
    // the same JSON re-serialized (whitespace) is not the signed bytes
    expect((await k.post(`${genuine} `, sign(genuine))).status).toBe(401);
    expect(await k.state()).toEqual(before);
  });

  it('an exact replay of a signed notification changes nothing the first one did not', async () => {
    const k = await setup();
    const failed = k.undeliverable;
    expect((await k.post(failed, sign(failed))).status).toBe(200);
    const once = await k.state();
    expect(once.outbox).toBe(1); // the genuine failure fell back to SMS once
    expect((await k.post(failed, sign(failed))).status).toBe(200);
    expect((await k.post(k.stop, sign(k.stop))).status).toBe(200);
    const stopped = await k.state();
    expect((await k.post(k.stop, sign(k.stop))).status).toBe(200);
    expect(await k.state()).toEqual(stopped);
    expect(stopped.attempts).toEqual(once.attempts);
    expect(stopped.outbox).toBe(1);
  });

  it('oversized bodies are 413 before any signature check, announced or streamed, and change nothing', async () => {
    const k = await setup();
    const before = await k.state();
    const big = notification({ statuses: [], padding: 'x'.repeat(MAX) });
    // signed correctly: the size bound still applies first
    expect((await k.post(big, sign(big))).status).toBe(413);
    // streamed without Content-Length
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 8; i += 1) c.enqueue(new TextEncoder().encode('y'.repeat(1024)));
        c.close();
      },
    });
    const r = await fetch(running!.url, {
      method: 'POST',
      body: stream,
      headers: { 'content-type': 'application/json', ...sign('') },
      duplex: 'half',
    } as RequestInit);
    expect(r.status).toBe(413);
    expect(await k.state()).toEqual(before);
  });

  it('a body that is not JSON is 415, whatever its signature', async () => {
    const k = await setup();
    const before = await k.state();
    const r = await fetch(running!.url, {
      method: 'POST',
      body: k.stop,
      headers: { 'content-type': 'text/plain', ...sign(k.stop) },
    });
    expect(r.status).toBe(415);
    expect(await k.state()).toEqual(before);
  });
});
