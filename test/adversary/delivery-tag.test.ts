/**
 * Attack: a forged delivery report whose reference carries a tag of no send. The attacker
 * holds the verification id (so the record part of the reference) and the message id, and
 * posts to the app's status webhook a permanent SMS failure (`not_mobile`) hoping for the
 * automatic voice fallback: a call with a new code. A tag that names no send must be
 * `not_found`, before and after the provider's first real report, and dropping the tag must
 * not help when the sender's reports always carry it (`reportsCarryRef`).
 *
 * The webhook is the app's own route (as docs/delivery.md shows), unsigned here (a Vonage
 * receipt path, or an app that skipped the signature): the verifier's matching is what is
 * under test. Each framework serves both the verification routes and the webhook on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { parseTwilioStatus } from '../../adapters/twilio/index';
import { createVerifier } from '../../src/index';
import type { OutgoingMessage, Sender } from '../../src/ports/sender';
import { outboxSender } from '../../src/senders/outbox';
import type { Verifier } from '../../src/verifier/types';
import { call } from '../http/kit';
import { FRAMEWORKS } from '../registry';

const PHONE = '+14155550123';
const HOOK_HOST = 'https://hooks.acme.example';

interface App {
  readonly base: string;
  close(): Promise<void>;
}

/** The status webhook as an app writes it: parse the callback, hand it to the verifier. */
async function onStatus(verifier: Verifier, url: string, params: Record<string, string>) {
  const report = parseTwilioStatus(params, `${HOOK_HOST}${url}`);
  if (report.isErr()) return { status: 400, body: { error: report.error.code } };
  const applied = await verifier.delivery({ report: report.value });
  if (applied.isErr()) {
    return {
      status: applied.error.code === 'not_found' ? 404 : 400,
      body: { error: applied.error.code },
    };
  }
  return {
    status: 200,
    body: { changed: applied.value.changed, fallback: applied.value.fallback !== undefined },
  };
}

type Serve = (verifier: Verifier) => Promise<App>;

/** Each framework of the registry serves the verification routes and the webhook. */
const SERVERS: readonly (readonly [string, Serve])[] = FRAMEWORKS.map(([name, mount]) => {
  const serve: Serve = async (verifier) => {
    const running = await mount(
      verifier,
      {},
      {
        prefix: '/verify',
        appRoutes: {
          '/hooks/status': (req) => onStatus(verifier, req.url, req.body as Record<string, string>),
        },
      },
    );
    return { base: new URL(running.base).origin, close: () => running.close() };
  };
  return [name, serve] as const;
});

/** An outbox whose reports carry the reference (like `twilioSender` with a status callback). */
function refSender() {
  const outbox = outboxSender();
  const sent: OutgoingMessage[] = [];
  const sender: Sender = {
    reportsCarryRef: true,
    send: (m) => {
      sent.push(m);
      return outbox.send(m);
    },
  };
  return { sender, outbox, sent };
}

/** A tag of 8 base64url characters that is not `real`. */
const otherTag = (real: string) => (real === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA');

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe.each(SERVERS)('%s: delivery report with a wrong tag', (_name, serve) => {
  async function setup() {
    const s = refSender();
    const verifier = createVerifier({
      secret: 'adversary-delivery-tag-secret-0123456789',
      store: memoryStore(),
      sender: s.sender,
      abuse: false,
    });
    app = await serve(verifier);
    const base = app.base;
    const started = await call(`${base}/verify/verifications`, {
      method: 'POST',
      json: { phone: PHONE },
    });
    expect(started.status).toBe(201);
    const id = started.json.id as string;
    const message = s.sent.at(-1)!;
    const ref = message.ref!;
    // The record part of a ref is not in the id the client holds (ids are opaque); the
    // attacker here is given it anyway (say, from a leaked callback URL): only the tag counts.
    expect(id).not.toContain(ref.slice(0, 32));
    const messageId = s.outbox.messages.at(-1)!.messageId;
    const hook = (r: string, params: Record<string, string>) =>
      call(`${base}/hooks/status?ref=${r}`, {
        method: 'POST',
        json: { MessageSid: messageId, To: PHONE, ...params },
      });
    const forged = { MessageStatus: 'undelivered', ErrorCode: '30006' };
    const status = async () =>
      (await verifier.status({ id }))._unsafeUnwrap().attempts?.map((a) => a.state);
    return { s, verifier, id, ref, hook, forged, status };
  }

  it('a forged failure with a wrong tag is not_found before any real report', async () => {
    const { s, ref, hook, forged, status } = await setup();
    const wrong = ref.slice(0, 32) + otherTag(ref.slice(32));
    const r = await hook(wrong, forged);
    expect(r.status).toBe(404);
    expect(s.outbox.messages.map((m) => m.channel)).toEqual(['sms']);
    expect(await status()).toEqual(['queued']);
  });

  it('after a first real report, a wrong tag is still not_found: no call, no new code', async () => {
    const { s, ref, hook, forged, status } = await setup();
    const real = await hook(ref, { MessageStatus: 'sent' });
    expect(real.status).toBe(200);
    expect(real.json.changed).toBe(true);
    expect(await status()).toEqual(['sent']);

    const wrong = ref.slice(0, 32) + otherTag(ref.slice(32));
    const r = await hook(wrong, forged);
    expect(r.status).toBe(404);
    expect(r.json.error).toBe('not_found');
    // No voice call was placed, no second code exists, the attempt is as the provider said.
    expect(s.outbox.messages.map((m) => m.channel)).toEqual(['sms']);
    expect(await status()).toEqual(['sent']);
  });

  it('dropping the tag does not help when the sender says its reports carry it', async () => {
    const { s, ref, hook, forged, status } = await setup();
    await hook(ref, { MessageStatus: 'sent' });
    const r = await hook(ref.slice(0, 32), forged);
    expect(r.status).toBe(404);
    expect(s.outbox.messages.map((m) => m.channel)).toEqual(['sms']);
    expect(await status()).toEqual(['sent']);
  });

  it('the real failure report with the right tag still falls back to a call', async () => {
    const { s, ref, hook, forged, status } = await setup();
    await hook(ref, { MessageStatus: 'sent' });
    const r = await hook(ref, forged);
    expect(r.status).toBe(200);
    expect(r.json.fallback).toBe(true);
    expect(s.outbox.messages.map((m) => m.channel)).toEqual(['sms', 'voice']);
    expect(await status()).toEqual(['failed', 'queued']);
  });
});
