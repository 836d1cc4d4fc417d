/**
 * Forged WhatsApp STOP: the inbound webhook now reads WhatsApp keywords (Twilio `From:
 * whatsapp:+…`, Vonage Messages `channel: 'whatsapp'`), and a WhatsApp STOP opts the number out
 * of every channel. The attacker knows the webhook URL and the victim's number: unsigned,
 * badly signed or re-channelled requests must write nothing; the signed one is honoured.
 * Over real sockets on every framework.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { twilioSignature } from '../../src/delivery/twilio-signature';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import type { AnyOptions, Running } from '../http/servers';
import { FRAMEWORKS } from './support';

const VICTIM = '+12133734253';
const TOKEN = 'twilio-auth-token-whatsapp-adversary-0123';
const VONAGE_SECRET = 'vonage-signature-secret-whatsapp-0123';
const T0 = Date.UTC(2030, 0, 1);

function kit() {
  const clock = { now: T0 };
  const now = () => clock.now;
  const verifier = createVerifier({
    secret: 'forged-whatsapp-secret-forged-whatsapp!!',
    store: memoryStore({ now }),
    sender: outboxSender(),
    now,
    consent: consent({ ledger: memoryConsentLedger() }),
  });
  return { clock, now, verifier };
}

async function post(url: string, body: string, headers: Record<string, string>) {
  const r = await fetch(url, { method: 'POST', body, headers });
  return { status: r.status, json: (await r.json().catch(() => undefined)) as unknown };
}

const twilioWhatsApp = (body: string) => ({
  MessageSid: `SM${randomUUID().replace(/-/g, '')}`,
  AccountSid: `AC${'b'.repeat(32)}`,
  From: `whatsapp:${VICTIM}`,
  To: 'whatsapp:+15005550006',
  Body: body,
  NumMedia: '0',
});

for (const [framework, mount] of FRAMEWORKS) {
  describe(`forged WhatsApp STOP (${framework})`, () => {
    let running: Running | undefined;
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });
    const serve = async (k: ReturnType<typeof kit>, options: AnyOptions) => {
      running = await mount(k.verifier, { now: k.now, ...options });
      return `${running.base}/inbound-sms`;
    };
    const entries = async (k: ReturnType<typeof kit>) =>
      (await k.verifier.consent.history({ phone: VICTIM }))._unsafeUnwrap().entries;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    it('Twilio: unsigned, wrongly signed or with the From changed after signing is 401; signed is honoured', async () => {
      const k = kit();
      const signed = 'https://verify.acme.example/inbound-sms'; // what Twilio signs
      const url = await serve(k, { inbound: { twilio: { authToken: TOKEN, url: signed } } });
      const stop = twilioWhatsApp('STOP');
      const body = new URLSearchParams(stop).toString();
      expect((await post(url, body, form)).status).toBe(401);
      const wrong = twilioSignature('not-the-token', signed, stop);
      expect((await post(url, body, { ...form, 'x-twilio-signature': wrong })).status).toBe(401);
      // Signed as an SMS from the number, replayed as a WhatsApp message (or the reverse).
      const asSms = { ...stop, From: VICTIM };
      const smsSig = twilioSignature(TOKEN, signed, asSms);
      expect((await post(url, body, { ...form, 'x-twilio-signature': smsSig })).status).toBe(401);
      expect(await entries(k)).toEqual([]);
      const sig = twilioSignature(TOKEN, signed, stop);
      const ok = await post(url, body, { ...form, 'x-twilio-signature': sig });
      expect(ok.status).toBe(200);
      expect(await entries(k)).toEqual([
        expect.objectContaining({ kind: 'opted_out', channel: 'whatsapp' }),
      ]);
    });

    it('Vonage Messages: a JWT for another body or secret is 401; other channels are refused', async () => {
      const k = kit();
      const url = await serve(k, {
        inbound: { vonage: { signatureSecret: VONAGE_SECRET, numbers: ['+447700900000'] } },
      });
      const message = (text: string, channel = 'whatsapp') =>
        JSON.stringify({
          channel,
          message_uuid: randomUUID(),
          to: '447700900000',
          from: VICTIM.slice(1),
          timestamp: new Date(k.clock.now).toISOString(),
          text,
          message_type: 'text',
        });
      const jwt = (body: string, secret = VONAGE_SECRET) =>
        new SignJWT({
          api_key: 'abcd1234',
          application_id: randomUUID(),
          payload_hash: createHash('sha256').update(body).digest('hex'),
        })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setIssuedAt(Math.floor(k.clock.now / 1000))
          .setJti(randomUUID())
          .sign(new TextEncoder().encode(secret));
      const json = { 'content-type': 'application/json' };
      const stop = message('STOP');
      expect((await post(url, stop, json)).status).toBe(401);
      const guessed = await jwt(stop, 'guessed-secret-guessed-secret-0000');
      expect((await post(url, stop, { ...json, authorization: `Bearer ${guessed}` })).status).toBe(
        401,
      );
      // A token for the same STOP sent over SMS does not cover the WhatsApp body.
      const smsToken = await jwt(message('STOP', 'sms'));
      expect((await post(url, stop, { ...json, authorization: `Bearer ${smsToken}` })).status).toBe(
        401,
      );
      const viber = message('STOP', 'viber_service');
      const viberToken = await jwt(viber);
      const refused = await post(url, viber, { ...json, authorization: `Bearer ${viberToken}` });
      expect(refused.status).toBe(400);
      expect(await entries(k)).toEqual([]);
      const ok = await post(url, stop, { ...json, authorization: `Bearer ${await jwt(stop)}` });
      expect(ok.status).toBe(200);
      expect(await entries(k)).toEqual([
        expect.objectContaining({
          kind: 'opted_out',
          source: 'whatsapp_keyword',
          channel: 'whatsapp',
        }),
      ]);
    });
  });
}
