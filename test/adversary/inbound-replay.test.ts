/**
 * Attack: replay a captured, genuinely signed START (after the person texted STOP again)
 * past the message-id duplicate check, by rewriting the request so that its signature still
 * holds but no message id is read:
 * - Twilio signs each distinct value of a repeated name once, so `…&MessageSid=SMx&MessageSid=SMx`
 *   verifies and `MessageSid` parses as a list; and it signs `name + value` with no
 *   separator, so `MessageSidS=M…` (and `SmsSidS=M…`) verifies with no `MessageSid` at all.
 *   Twilio signs no timestamp: a captured message works forever.
 * - Vonage's SMS API escapes `&` and `=` in values but not in names, so a key renamed to
 *   `message-timestamp=<v>&messageId` keeps the signed string and drops `messageId`
 *   (within the 5 minutes its timestamp allows); a value's `_` reads as `&` or `=` too.
 * - Vonage's Messages API: a signed message with no `message_uuid` has nothing to dedup on.
 * A signed inbound message must now carry exactly one id of the provider's shape, every
 * field read once, and Vonage names no `&` or `=`. Over real sockets, every framework.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { twilioSignature } from '../../src/delivery/twilio-signature';
import { validateVonageSignature, vonageSignature } from '../../src/delivery/vonage-signature';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import type { AnyOptions, Running } from '../http/servers';
import { form, post, twilioInbound, vonageMessagesJwt, vonageSmsInbound } from './inbound-fixtures';
import { FRAMEWORKS } from './support';

const SECRET = 'inbound-replay-secret-inbound-replay-secret!';
const VICTIM = '+12133734253';
const TOKEN = 'twilio-auth-token-0123456789abcdef';
const VONAGE_SECRET = 'vonage-signature-secret-0123456789';
const OUR_NUMBER = '447700900000';
const CONSENT_TEXT = 'Yes, text me one-time codes. Msg & data rates may apply.';
const T0 = Date.UTC(2030, 0, 1);
const INBOUND_URL = 'https://verify.acme.example/inbound-sms';

function kit() {
  const clock = { now: T0 };
  const now = () => clock.now;
  const verifier = createVerifier({
    secret: SECRET,
    store: memoryStore({ now }),
    sender: outboxSender(),
    now,
    consent: consent({
      ledger: memoryConsentLedger(),
      required: { version: 1, text: CONSENT_TEXT },
    }),
  });
  return { clock, now, verifier };
}

type Kit = ReturnType<typeof kit>;

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };
/** Vonage SMS API inbound fields from the victim, signed. */
const vonageSms = (text: string, at: number, messageId?: string) =>
  vonageSmsInbound(VICTIM, text, at, {
    secret: VONAGE_SECRET,
    ...(messageId !== undefined ? { messageId } : {}),
  });

const consentState = async (k: Kit) =>
  (await k.verifier.consent.status({ phone: VICTIM }))._unsafeUnwrap().state;

for (const [framework, mount] of FRAMEWORKS) {
  describe(`replaying a signed START past the duplicate check (${framework})`, () => {
    let running: Running | undefined;
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });
    const serve = async (k: Kit, options: AnyOptions) => {
      running = await mount(k.verifier, { now: k.now, ...options });
      return `${running.base}/inbound-sms`;
    };

    /** Opted in on the web, then STOP, START (captured), STOP: the person's last word is STOP. */
    async function twilioHistory(k: Kit, url: string) {
      const signed = (p: Record<string, string>) => ({
        ...FORM,
        'x-twilio-signature': twilioSignature(TOKEN, INBOUND_URL, p),
      });
      await k.verifier.consent.record({ phone: VICTIM, text: CONSENT_TEXT, version: 1 });
      const start = twilioInbound(VICTIM, 'START');
      for (const p of [twilioInbound(VICTIM, 'STOP'), start, twilioInbound(VICTIM, 'STOP')]) {
        expect((await post(url, form(p), signed(p))).status).toBe(200);
      }
      expect(await consentState(k)).toBe('opted_out');
      const replay = await post(url, form(start), signed(start));
      expect(replay.json.action).toBe('ignored');
      return { start, headers: signed(start) };
    }

    it('Twilio: MessageSid repeated with the same value is refused; the STOP holds', async () => {
      const k = kit();
      const url = await serve(k, { inbound: { twilio: { authToken: TOKEN, url: INBOUND_URL } } });
      const { start, headers } = await twilioHistory(k, url);
      const doubled = `${form(start)}&MessageSid=${start.MessageSid}`;
      const r = await post(url, doubled, headers);
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('invalid_request');
      expect(await consentState(k)).toBe('opted_out');
    });

    it('Twilio: MessageSid and SmsSid renamed across the name/value boundary are refused; the STOP holds', async () => {
      const k = kit();
      const url = await serve(k, { inbound: { twilio: { authToken: TOKEN, url: INBOUND_URL } } });
      const { start, headers } = await twilioHistory(k, url);
      const { MessageSid, SmsSid, ...rest } = start;
      // `MessageSid` + `SMx…` and `MessageSidS` + `Mx…` sign alike, in the same sorted place.
      const shifted = { ...rest, MessageSidS: MessageSid!.slice(1), SmsSidS: SmsSid!.slice(1) };
      expect(twilioSignature(TOKEN, INBOUND_URL, shifted)).toBe(headers['x-twilio-signature']);
      const r = await post(url, form(shifted), headers);
      expect(r.status).toBe(400);
      expect(await consentState(k)).toBe('opted_out');
    });

    it('Vonage SMS API: messageId folded into another name is refused; the STOP holds', async () => {
      const k = kit();
      const url = await serve(k, {
        inbound: { vonage: { signatureSecret: VONAGE_SECRET, numbers: [OUR_NUMBER] } },
      });
      await k.verifier.consent.record({ phone: VICTIM, text: CONSENT_TEXT, version: 1 });
      const start = vonageSms('START', T0);
      for (const p of [vonageSms('STOP', T0), start, vonageSms('STOP', T0)]) {
        expect((await post(url, form(p), FORM)).status).toBe(200);
      }
      expect(await consentState(k)).toBe('opted_out');
      expect((await post(url, form(start), FORM)).json.action).toBe('ignored');
      const { 'message-timestamp': mts, messageId, ...rest } = start;
      const merged = { ...rest, [`message-timestamp=${mts}&messageId`]: messageId! };
      expect(vonageSignature(VONAGE_SECRET, merged)).toBe(start.sig);
      for (const body of [form(merged), JSON.stringify(merged)]) {
        const r = await post(url, body, body.startsWith('{') ? JSON_TYPE : FORM);
        expect(r.status).toBe(401);
      }
      expect(await consentState(k)).toBe('opted_out');
    });

    it("Vonage SMS API: a messageId with '_', '&' or '=' (they sign alike) is refused", async () => {
      const k = kit();
      const url = await serve(k, {
        inbound: { vonage: { signatureSecret: VONAGE_SECRET, numbers: [OUR_NUMBER] } },
      });
      await k.verifier.consent.record({ phone: VICTIM, text: CONSENT_TEXT, version: 1 });
      const stop = vonageSms('STOP', T0, '0A00_0001');
      const r = await post(url, form(stop), FORM);
      expect(r.status).toBe(400);
      expect(await consentState(k)).toBe('opted_in');
    });

    it('Vonage Messages API: a signed message with no message_uuid is refused', async () => {
      const k = kit();
      const url = await serve(k, {
        inbound: { vonage: { signatureSecret: VONAGE_SECRET, numbers: [OUR_NUMBER] } },
      });
      await k.verifier.consent.record({ phone: VICTIM, text: CONSENT_TEXT, version: 1 });
      const body = JSON.stringify({
        channel: 'sms',
        to: OUR_NUMBER,
        from: VICTIM.slice(1),
        timestamp: new Date(T0).toISOString(),
        text: 'STOP',
        message_type: 'text',
      });
      const jwt = await vonageMessagesJwt(body, VONAGE_SECRET, T0, { jti: false });
      const r = await post(url, body, { ...JSON_TYPE, authorization: `Bearer ${jwt}` });
      expect(r.status).toBe(400);
      expect(await consentState(k)).toBe('opted_in');
    });
  });
}

describe('Vonage SMS API signature: the same trick on a delivery receipt', () => {
  it('a parameter name holding & or = never verifies (client-ref folded into another name)', () => {
    const at = T0;
    const receipt: Record<string, string> = {
      msisdn: VICTIM.slice(1),
      to: 'Acme',
      'network-code': '12345',
      messageId: '0A0000000123ABCD1',
      price: '0.03330000',
      status: 'delivered',
      scts: '2001011400',
      'err-code': '0',
      'api-key': 'abcd1234',
      'client-ref': 'K'.repeat(40),
      'message-timestamp': '2030-01-01 00:00:00',
      timestamp: String(Math.floor(at / 1000)),
      nonce: randomUUID(),
    };
    const sig = vonageSignature(VONAGE_SECRET, receipt);
    const check = { signatureSecret: VONAGE_SECRET, now: at };
    expect(validateVonageSignature({ ...check, params: { ...receipt, sig } })).toBe(true);
    const { 'api-key': key, 'client-ref': ref, ...rest } = receipt;
    const folded = { ...rest, [`api-key=${key}&client-ref`]: ref!, sig };
    expect(vonageSignature(VONAGE_SECRET, folded)).toBe(sig);
    expect(validateVonageSignature({ ...check, params: folded })).toBe(false);
  });
});
