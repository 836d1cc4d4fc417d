/**
 * A genuine WhatsApp Cloud API notification replayed after the inbound message-id dedup has
 * forgotten it, over a real socket. Meta's `X-Hub-Signature-256` covers the body but carries
 * no time, so a captured notification (a leaked log, a proxy: the attacker the threat model
 * row for this webhook assumes) stays valid forever; what dates it is the signed
 * `messages[].timestamp`. The victim sends START, later STOP; two days on the attacker replays
 * the START byte for byte. The message id was remembered for 24 hours only
 * (`src/consent/inbound-limit.ts`), so nothing but the signed timestamp can tell the replay
 * from a new message: it must not opt the victim back in (or, the other way round, a replayed
 * STOP must not opt out a number that said START since).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { whatsappSignature, whatsappWebhookHandler } from '../../adapters/whatsapp/index';
import { consent } from '../../src/consent/index';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { testClock } from '../../src/testing/clock';

const APP_SECRET = 'meta-app-secret-replay-0123456789';
const VICTIM = '+5511987654321';
const HOUR = 3_600_000;

async function serve(handler: (r: Request) => Promise<Response>) {
  const server = http.createServer(async (req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers,
      body: Readable.toWeb(req) as ReadableStream,
      duplex: 'half',
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

/** A Cloud API notification of one inbound text message sent at `atMs`. */
const inbound = (id: string, text: string, atMs: number) =>
  JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550001111', phone_number_id: '106540352242922' },
              contacts: [{ profile: { name: 'Victim' }, wa_id: VICTIM.slice(1) }],
              messages: [
                {
                  from: VICTIM.slice(1),
                  id,
                  timestamp: String(Math.floor(atMs / 1000)),
                  type: 'text',
                  text: { body: text },
                },
              ],
            },
          },
        ],
      },
    ],
  });

let running: Awaited<ReturnType<typeof serve>> | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function setup() {
  const clock = testClock();
  const verifier = createVerifier({
    secret: 'whatsapp-replay-secret-0123456789!!!!!!',
    store: memoryStore({ now: clock.now }),
    sender: outboxSender(),
    now: clock.now,
    consent: consent({ ledger: memoryConsentLedger() }),
  });
  running = await serve(whatsappWebhookHandler(verifier, { appSecret: APP_SECRET }));
  const post = async (body: string) => {
    const r = await fetch(running!.url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': whatsappSignature(APP_SECRET, body),
      },
    });
    return r.status;
  };
  const state = async () =>
    (await verifier.consent.status({ phone: VICTIM }))._unsafeUnwrap().state;
  return { clock, post, state };
}

describe('replayed WhatsApp notifications (real socket)', () => {
  it('a START captured on day 0 and replayed on day 2 does not opt back in a victim who sent STOP', async () => {
    const k = await setup();
    // Day 0: the victim's genuine START (the attacker keeps body and signature).
    const start = inbound('wamid.VICTIMSTART0001', 'START', k.clock.now());
    expect(await k.post(start)).toBe(200);
    expect(await k.state()).toBe('opted_in');
    // An hour later the victim's genuine STOP.
    k.clock.advance(HOUR);
    expect(await k.post(inbound('wamid.VICTIMSTOP00001', 'STOP', k.clock.now()))).toBe(200);
    expect(await k.state()).toBe('opted_out');
    // Within the dedup window the exact replay is ignored (what the existing suite checks).
    expect(await k.post(start)).toBe(200);
    expect(await k.state()).toBe('opted_out');
    // Two days later, the same bytes under the same genuine signature.
    k.clock.advance(48 * HOUR);
    expect(await k.post(start)).toBe(200);
    expect(await k.state()).toBe('opted_out');
  });

  it('a genuine STOP that Meta delivers two days late (an outage) is still honoured', async () => {
    const k = await setup();
    expect(await k.post(inbound('wamid.VICTIMSTART0003', 'START', k.clock.now()))).toBe(200);
    const sentAt = k.clock.advance(HOUR);
    k.clock.advance(48 * HOUR);
    expect(await k.post(inbound('wamid.VICTIMSTOP00003', 'STOP', sentAt))).toBe(200);
    expect(await k.state()).toBe('opted_out');
  });

  it('a STOP captured on day 0 and replayed on day 2 does not opt out a number that said START since', async () => {
    const k = await setup();
    const stop = inbound('wamid.VICTIMSTOP00002', 'STOP', k.clock.now());
    expect(await k.post(stop)).toBe(200);
    k.clock.advance(HOUR);
    expect(await k.post(inbound('wamid.VICTIMSTART0002', 'START', k.clock.now()))).toBe(200);
    expect(await k.state()).toBe('opted_in');
    k.clock.advance(48 * HOUR);
    expect(await k.post(stop)).toBe(200);
    expect(await k.state()).toBe('opted_in');
  });
});
