/**
 * The WhatsApp channel over the route table, on every framework (test/registry.ts): start,
 * resend and status with `channel: 'whatsapp'`, unknown channels refused before anything is
 * sent, and a STOP received over WhatsApp (Twilio's `whatsapp:` addresses, signed) honoured.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { twilioSignature } from '../../src/delivery/twilio-signature';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { FRAMEWORKS } from '../registry';
import type { AnyOptions, Mount } from './servers';

const PHONE = '+12133734253';
const TOKEN = 'twilio-auth-token-whatsapp-0123456789';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function serve(mount: Mount, options: AnyOptions = {}) {
  const clock = { now: 1_700_000_000_000 };
  const outbox = outboxSender();
  const ledger = memoryConsentLedger();
  const verifier = createVerifier({
    secret: 'w'.repeat(40),
    store: memoryStore({ now: () => clock.now }),
    sender: outbox,
    now: () => clock.now,
    consent: consent({ ledger }),
    abuse: false,
  });
  const running = await mount(verifier, { now: () => clock.now, ...options }, { prefix: '/v' });
  closers.push(() => running.close());
  const base = running.base;
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      ...(body !== undefined
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
        : {}),
    });
    return {
      status: res.status,
      json: (await res.json()) as Record<string, unknown> & { error?: { code: string } },
    };
  };
  return { verifier, clock, outbox, base, send };
}

describe.each(FRAMEWORKS)('%s: channel whatsapp', (_name, mount) => {
  it('start, resend and status accept whatsapp', async () => {
    const { send, outbox, clock } = await serve(mount);
    const started = await send('POST', '/verifications', { phone: PHONE, channel: 'whatsapp' });
    expect(started.status).toBe(201);
    expect(started.json.channel).toBe('whatsapp');
    expect(outbox.last()).toMatchObject({ channel: 'whatsapp', to: PHONE });
    const id = started.json.id as string;
    clock.now += 60_000;
    const resent = await send('POST', `/verifications/${id}/resend`, { channel: 'sms' });
    expect(resent.json.channel).toBe('sms');
    clock.now += 120_000;
    const back = await send('POST', `/verifications/${id}/resend`, { channel: 'whatsapp' });
    expect(back.json.channel).toBe('whatsapp');
    const status = await send('GET', `/verifications/${id}`);
    expect(status.status).toBe(200);
    expect(status.json.channel).toBe('whatsapp');
    expect(outbox.messages.map((m) => m.channel)).toEqual(['whatsapp', 'sms', 'whatsapp']);
  });

  it('unknown channels are 400 invalid_request and send nothing', async () => {
    const { send, outbox, clock } = await serve(mount);
    for (const channel of ['telegram', 'WhatsApp', 'whatsapp:', 3]) {
      const r = await send('POST', '/verifications', { phone: PHONE, channel });
      expect(r.status).toBe(400);
      expect(r.json.error?.code).toBe('invalid_request');
    }
    expect(outbox.messages).toHaveLength(0);
    const started = await send('POST', '/verifications', { phone: PHONE });
    clock.now += 60_000;
    const r = await send('POST', `/verifications/${started.json.id}/resend`, { channel: 'fax' });
    expect(r.status).toBe(400);
    expect(outbox.messages).toHaveLength(1);
  });

  it('a signed STOP over WhatsApp (Twilio, From whatsapp:+...) opts the number out', async () => {
    const { send, base, verifier } = await serve(mount, {
      inbound: { twilio: { authToken: TOKEN, url: 'https://verify.acme.example/inbound-sms' } },
    });
    const url = `${base}/inbound-sms`;
    const params = {
      MessageSid: 'SM0123456789abcdef0123456789abcdef',
      AccountSid: `AC${'a'.repeat(32)}`,
      From: `whatsapp:${PHONE}`,
      To: 'whatsapp:+15005550006',
      Body: 'STOP',
      NumMedia: '0',
    };
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(
          TOKEN,
          'https://verify.acme.example/inbound-sms',
          params,
        ),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { action: string }).action).toBe('opted_out');
    const h = (await verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
    expect(h.entries).toEqual([
      expect.objectContaining({
        kind: 'opted_out',
        source: 'whatsapp_keyword',
        channel: 'whatsapp',
        messageId: params.MessageSid,
      }),
    ]);
    const refused = await send('POST', '/verifications', { phone: PHONE, channel: 'whatsapp' });
    expect(refused.json.error?.code).toBe('consent_required');
  });
});
