/**
 * Hole 2, forged STOP and START: the inbound-SMS webhook took `{ from, text }` from anyone.
 * The attacker here is anyone on the network who knows the webhook URL: they send unsigned
 * or badly signed STOP/START for a victim's number, flood toggles, and name their own
 * consent `source`. Over real sockets on both framework adapters; the ledger on memory and
 * PostgreSQL where the written evidence matters.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { twilioSignature } from '../../src/delivery/twilio-signature';
import { createVerifier } from '../../src/index';
import type { ConsentLedger } from '../../src/ports/consent-ledger';
import { outboxSender } from '../../src/senders/outbox';
import type { VerifierOptions } from '../../src/verifier/types';
import type { AnyOptions, Running } from '../http/servers';
import { BACKENDS } from '../registry';
import { form, post, twilioInbound, vonageMessagesJwt, vonageSmsInbound } from './inbound-fixtures';
import { FRAMEWORKS } from './support';

const SECRET = 'forged-inbound-secret-forged-inbound-secret!';
const VICTIM = '+12133734253';
const TOKEN = 'twilio-auth-token-0123456789abcdef';
const VONAGE_SECRET = 'vonage-signature-secret-0123456789';
const CONSENT_TEXT = 'Yes, text me one-time codes. Msg & data rates may apply.';
const T0 = Date.UTC(2030, 0, 1);

/** The backends that keep a consent ledger (test/registry.ts). */
const LEDGERS = BACKENDS.flatMap((b) =>
  b.ledger ? [{ name: b.name, available: b.available, make: b.ledger }] : [],
);

function kit(ledger: ConsentLedger = memoryConsentLedger(), extra: Partial<VerifierOptions> = {}) {
  const clock = { now: T0 };
  const now = () => clock.now;
  const outbox = outboxSender();
  const verifier = createVerifier({
    secret: SECRET,
    store: memoryStore({ now }),
    sender: outbox,
    now,
    consent: consent({ ledger, required: { version: 1, text: CONSENT_TEXT } }),
    ...extra,
  });
  return { clock, now, outbox, verifier, ledger };
}

type Kit = ReturnType<typeof kit>;

const vonageSmsFrom = (from: string, text: string, at: number, secret = VONAGE_SECRET) =>
  vonageSmsInbound(from, text, at, { secret });

const status = async (k: Kit, phone = VICTIM) =>
  (await k.verifier.consent.status({ phone }))._unsafeUnwrap().state;
const history = async (k: Kit, phone = VICTIM) =>
  (await k.verifier.consent.history({ phone }))._unsafeUnwrap();

for (const [framework, mount] of FRAMEWORKS) {
  describe(`forged inbound STOP/START (${framework})`, () => {
    let running: Running | undefined;
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });
    const serve = async (k: Kit, options: AnyOptions) => {
      running = await mount(k.verifier, { now: k.now, ...options });
      return running.base;
    };
    /** The webhook's public URL as configured at Twilio (what Twilio signs; the server runs on loopback). */
    const INBOUND_URL = 'https://verify.acme.example/inbound-sms';
    const twilio = { inbound: { twilio: { authToken: TOKEN, url: INBOUND_URL } } };

    /** An opted-in victim (web consent, verified), as the attack's starting point. */
    async function optedIn(k: Kit) {
      const r = await k.verifier.consent.record({
        phone: VICTIM,
        text: CONSENT_TEXT,
        version: 1,
        source: 'web',
      });
      expect(r.isOk()).toBe(true);
    }

    it('without configured inbound authentication the webhook does not exist', async () => {
      const k = kit();
      await optedIn(k);
      const base = await serve(k, {});
      const stop = await post(
        `${base}/inbound-sms`,
        JSON.stringify({ from: VICTIM, text: 'STOP' }),
        {
          'content-type': 'application/json',
        },
      );
      expect(stop.status).toBe(404);
      const formStop = await post(`${base}/inbound-sms`, form(twilioInbound(VICTIM, 'STOP')), {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(formStop.status).toBe(404);
      expect(await status(k)).toBe('opted_in');
      expect((await history(k)).entries).toHaveLength(1);
    });

    it('`inbound: true` (mount without saying how to authenticate) is refused at startup', async () => {
      const k = kit();
      await expect(serve(k, { inbound: true } as never)).rejects.toThrow(/inbound/);
    });

    it('`inbound` needs consent; form bodies are taken on the inbound route only', async () => {
      const bare = createVerifier({ secret: SECRET, store: memoryStore(), sender: outboxSender() });
      await expect(mount(bare, twilio)).rejects.toThrow(/consent/);
      const k = kit();
      const base = await serve(k, twilio);
      const r = await post(`${base}/verifications`, form({ phone: VICTIM }), {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(r.status).toBe(415);
      expect(k.outbox.messages).toHaveLength(0);
    });

    it('unsigned forged STOP (JSON and Twilio form) is 401 and writes nothing', async () => {
      const k = kit();
      await optedIn(k);
      const base = await serve(k, twilio);
      const json = await post(
        `${base}/inbound-sms`,
        JSON.stringify({ from: VICTIM, text: 'STOP' }),
        {
          'content-type': 'application/json',
        },
      );
      expect(json.status).toBe(401);
      expect(json.json.error.code).toBe('signature_invalid');
      const unsigned = await post(`${base}/inbound-sms`, form(twilioInbound(VICTIM, 'STOP')), {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(unsigned.status).toBe(401);
      expect(await status(k)).toBe('opted_in');
      expect((await history(k)).entries).toHaveLength(1);
    });

    it('badly signed STOP (wrong token, tampered body, other URL) is 401 and writes nothing', async () => {
      const k = kit();
      await optedIn(k);
      const base = await serve(k, twilio);
      const url = `${base}/inbound-sms`;
      const help = twilioInbound(VICTIM, 'HELP');
      const stop = { ...help, Body: 'STOP' };
      const attempts = [
        // signed with a guessed token
        { params: stop, sig: twilioSignature('not-the-token', INBOUND_URL, stop) },
        // a genuine HELP's signature on a body changed to STOP
        { params: stop, sig: twilioSignature(TOKEN, INBOUND_URL, help) },
        // signed for another URL
        { params: stop, sig: twilioSignature(TOKEN, 'https://attacker.example/hook', stop) },
        { params: stop, sig: '' },
      ];
      for (const a of attempts) {
        const r = await post(url, form(a.params), {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': a.sig,
        });
        expect(r.status).toBe(401);
      }
      expect(await status(k)).toBe('opted_in');
      expect((await history(k)).entries).toHaveLength(1);
    });

    it('a captured signed START replayed after a later STOP is ignored (its message id was seen)', async () => {
      const k = kit();
      await optedIn(k);
      const base = await serve(k, twilio);
      const url = `${base}/inbound-sms`;
      const signed = (params: Record<string, string>) =>
        post(url, form(params), {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(TOKEN, INBOUND_URL, params),
        });
      const stop1 = twilioInbound(VICTIM, 'STOP');
      expect((await signed(stop1)).status).toBe(200);
      const start = twilioInbound(VICTIM, 'START'); // the attacker captures this request
      expect((await signed(start)).status).toBe(200);
      expect(await status(k)).toBe('opted_in');
      expect((await signed(twilioInbound(VICTIM, 'STOP'))).status).toBe(200);
      expect(await status(k)).toBe('opted_out');
      const before = (await history(k)).entries.length;
      const replay = await signed(start);
      expect(replay.status).toBe(200);
      expect(replay.json.action).toBe('ignored');
      expect(await status(k)).toBe('opted_out');
      expect((await history(k)).entries).toHaveLength(before);
    });

    it('forged START does not re-subscribe a number that texted STOP', async () => {
      const k = kit();
      await optedIn(k);
      const base = await serve(k, twilio);
      const url = `${base}/inbound-sms`;
      const stop = twilioInbound(VICTIM, 'STOP');
      const ok = await post(url, form(stop), {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TOKEN, INBOUND_URL, stop),
      });
      expect(ok.status).toBe(200);
      expect(await status(k)).toBe('opted_out');
      const start = twilioInbound(VICTIM, 'START');
      const forged = await post(url, form(start), {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature('guess', INBOUND_URL, start),
      });
      expect(forged.status).toBe(401);
      const json = await post(url, JSON.stringify({ from: VICTIM, text: 'START' }), {
        'content-type': 'application/json',
      });
      expect(json.status).toBe(401);
      expect(await status(k)).toBe('opted_out');
      expect((await history(k)).entries).toHaveLength(2);
      // No code reaches the victim.
      const r = await k.verifier.start({ phone: VICTIM });
      expect(r.isErr()).toBe(true);
      expect(k.outbox.messages).toHaveLength(0);
    });

    for (const L of LEDGERS) {
      it(`a real Twilio signed STOP is accepted; the entry keeps MessageSid; the chain verifies (${L.name} ledger)`, async (ctx) => {
        if (!(await L.available())) return ctx.skip();
        const made = await L.make();
        try {
          const k = kit(made.ledger);
          await optedIn(k);
          const base = await serve(k, twilio);
          const url = `${base}/inbound-sms`;
          const sid = 'SM0123456789abcdef0123456789abcdef';
          const stop = twilioInbound(VICTIM, 'Stop', sid);
          const r = await post(url, form(stop), {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': twilioSignature(TOKEN, INBOUND_URL, stop),
          });
          expect(r.status).toBe(200);
          expect(r.json.action).toBe('opted_out');
          const h = await history(k);
          expect(h.status.state).toBe('opted_out');
          expect(h.entries).toHaveLength(2);
          expect(h.entries[1]).toMatchObject({
            kind: 'opted_out',
            source: 'sms_keyword',
            keyword: 'STOP',
            messageId: sid,
          });
          expect(h.verdict.valid).toBe(true);
          // Twilio retries the same message: nothing more is written.
          const again = await post(url, form(stop), {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': twilioSignature(TOKEN, INBOUND_URL, stop),
          });
          expect(again.status).toBe(200);
          expect((await history(k)).entries).toHaveLength(2);
        } finally {
          await made.close();
        }
      });
    }

    it('Vonage SMS API inbound: signed `sig` accepted (form and JSON); unsigned, bad and stale refused', async () => {
      const k = kit();
      await optedIn(k);
      const base = await serve(k, {
        inbound: { vonage: { signatureSecret: VONAGE_SECRET, numbers: ['+447700900000'] } },
      });
      const url = `${base}/inbound-sms`;
      const formType = { 'content-type': 'application/x-www-form-urlencoded' };
      const jsonType = { 'content-type': 'application/json' };
      const { sig: _, ...unsigned } = vonageSmsFrom(VICTIM, 'STOP', k.clock.now);
      expect((await post(url, form(unsigned), formType)).status).toBe(401);
      const bad = vonageSmsFrom(VICTIM, 'STOP', k.clock.now, 'wrong-secret-wrong-secret');
      expect((await post(url, form(bad), formType)).status).toBe(401);
      const stale = vonageSmsFrom(VICTIM, 'STOP', k.clock.now - 3_600_000);
      expect((await post(url, JSON.stringify(stale), jsonType)).status).toBe(401);
      const tampered = { ...vonageSmsFrom(VICTIM, 'HELP', k.clock.now), text: 'STOP' };
      expect((await post(url, JSON.stringify(tampered), jsonType)).status).toBe(401);
      expect(await status(k)).toBe('opted_in');
      expect((await history(k)).entries).toHaveLength(1);

      const good = vonageSmsFrom(VICTIM, 'STOP', k.clock.now);
      const r = await post(url, form(good), formType);
      expect(r.status).toBe(200);
      expect(r.json.action).toBe('opted_out');
      const h = await history(k);
      expect(h.entries[1]).toMatchObject({ kind: 'opted_out', messageId: good.messageId });
      expect(h.verdict.valid).toBe(true);
      // JSON (the "POST-JSON" webhook method) is accepted too.
      const start = vonageSmsFrom(VICTIM, 'START', k.clock.now);
      const s = await post(url, JSON.stringify(start), jsonType);
      expect(s.status).toBe(200);
      expect(await status(k)).toBe('opted_in');
    });

    it('Vonage Messages API inbound: HS256 JWT with payload_hash accepted; forged or tampered refused', async () => {
      const k = kit();
      await optedIn(k);
      const base = await serve(k, {
        inbound: { vonage: { signatureSecret: VONAGE_SECRET, numbers: ['+447700900000'] } },
      });
      const url = `${base}/inbound-sms`;
      const message = (text: string) =>
        JSON.stringify({
          channel: 'sms',
          message_uuid: randomUUID(),
          to: '447700900000',
          from: VICTIM.slice(1),
          timestamp: new Date(k.clock.now).toISOString(),
          text,
          message_type: 'text',
        });
      const jwt = (body: string, secret = VONAGE_SECRET) =>
        vonageMessagesJwt(body, secret, k.clock.now);
      const stop = message('STOP');
      const json = { 'content-type': 'application/json' };
      expect((await post(url, stop, json)).status).toBe(401);
      const forged = await jwt(stop, 'guessed-secret-guessed-secret-000');
      expect((await post(url, stop, { ...json, authorization: `Bearer ${forged}` })).status).toBe(
        401,
      );
      const helpToken = await jwt(message('HELP'));
      expect(
        (await post(url, stop, { ...json, authorization: `Bearer ${helpToken}` })).status,
      ).toBe(401);
      expect(await status(k)).toBe('opted_in');
      const r = await post(url, stop, { ...json, authorization: `Bearer ${await jwt(stop)}` });
      expect(r.status).toBe(200);
      expect(r.json.action).toBe('opted_out');
      const h = await history(k);
      expect(h.entries[1]?.messageId).toBe(JSON.parse(stop).message_uuid);
    });

    it('a toggle flood (signed STOP/START) is bounded per number; every STOP is honoured', async () => {
      const k = kit();
      await optedIn(k);
      const base = await serve(k, twilio);
      const url = `${base}/inbound-sms`;
      for (let i = 0; i < 40; i++) {
        const p = twilioInbound(VICTIM, i % 2 === 0 ? 'STOP' : 'START');
        const r = await post(url, form(p), {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(TOKEN, INBOUND_URL, p),
        });
        expect(r.status).toBe(200);
      }
      const h = await history(k);
      // 1 opt-in + at most 5 keyword opt-ins a day, each after an opt-out.
      expect(h.entries.length).toBeLessThanOrEqual(1 + 2 * 5 + 1);
      expect(h.entries.length).toBeGreaterThan(2);
      expect(h.verdict.valid).toBe(true);
      // The last message was START, refused by the limit: the number stays opted out.
      expect(h.status.state).toBe('opted_out');
      const stop = twilioInbound(VICTIM, 'STOP');
      await post(url, form(stop), {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TOKEN, INBOUND_URL, stop),
      });
      expect(await status(k)).toBe('opted_out');
      // A day later the number may opt in by keyword again.
      k.clock.now += 24 * 3_600_000 + 1;
      const start = twilioInbound(VICTIM, 'START');
      await post(url, form(start), {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TOKEN, INBOUND_URL, start),
      });
      expect(await status(k)).toBe('opted_in');
    });

    it('web consent on start does not lift an SMS opt-out until the code sent under it is verified', async () => {
      const k = kit();
      await optedIn(k);
      const base = await serve(k, twilio);
      const url = `${base}/inbound-sms`;
      const stop = twilioInbound(VICTIM, 'STOP');
      await post(url, form(stop), {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(TOKEN, INBOUND_URL, stop),
      });
      expect(await status(k)).toBe('opted_out');
      const consent = { text: CONSENT_TEXT, version: 1 };
      const started = await post(
        `${base}/verifications`,
        JSON.stringify({ phone: VICTIM, consent }),
        { 'content-type': 'application/json' },
      );
      expect(started.status).toBe(201);
      // The one code under that consent is sent (how the owner proves possession)...
      expect(k.outbox.messages).toHaveLength(1);
      // ...but the opt-out stays in force.
      expect(await status(k)).toBe('opted_out');
      expect((await history(k)).entries).toHaveLength(2);
      const plain = await post(`${base}/verifications`, JSON.stringify({ phone: VICTIM }), {
        'content-type': 'application/json',
      });
      expect(plain.status).toBe(403);
      k.clock.now += 60_000;
      const resend = await post(`${base}/verifications/${started.json.id}/resend`, '{}', {
        'content-type': 'application/json',
      });
      // Refused as a spent verification, not `opted_out` (test/adversary/reopt-in-resend.test.ts).
      expect(resend.status).toBe(429);
      expect(resend.json.error.code).toBe('send_limit_reached');
      expect(k.outbox.messages).toHaveLength(1);
      // A wrong code proves nothing.
      const wrong = k.outbox.last()!.code === '000000' ? '111111' : '000000';
      await post(
        `${base}/verifications/${started.json.id}/check`,
        JSON.stringify({ code: wrong }),
        {
          'content-type': 'application/json',
        },
      );
      expect(await status(k)).toBe('opted_out');
      const checked = await post(
        `${base}/verifications/${started.json.id}/check`,
        JSON.stringify({ code: k.outbox.last()!.code }),
        { 'content-type': 'application/json' },
      );
      expect(checked.status).toBe(200);
      const h = await history(k);
      expect(h.status.state).toBe('opted_in');
      expect(h.entries).toHaveLength(3);
      expect(h.entries[2]).toMatchObject({ kind: 'opted_in', version: '1', text: CONSENT_TEXT });
      expect(h.verdict.valid).toBe(true);
    });

    it('an unverified re-opt-in leaves the opt-out in force (no second code, no opt-in)', async () => {
      const k = kit();
      await optedIn(k);
      expect(
        (await k.verifier.consent.optOut({ phone: VICTIM, source: 'sms_keyword' })).isOk(),
      ).toBe(true);
      const base = await serve(k, twilio);
      const consent = { text: CONSENT_TEXT, version: 1 };
      const started = await post(
        `${base}/verifications`,
        JSON.stringify({ phone: VICTIM, consent }),
        { 'content-type': 'application/json' },
      );
      expect(started.status).toBe(201);
      k.clock.now += 3_600_000;
      expect(await status(k)).toBe('opted_out');
      expect((await history(k)).entries).toHaveLength(2);
    });

    it('the consent `source` comes from the server, never from the client body', async () => {
      const k = kit();
      const base = await serve(k, twilio);
      const started = await post(
        `${base}/verifications`,
        JSON.stringify({
          phone: VICTIM,
          consent: { text: CONSENT_TEXT, version: 1, source: 'sms_keyword' },
        }),
        { 'content-type': 'application/json' },
      );
      expect(started.status).toBe(201);
      const h = await history(k);
      expect(h.entries).toHaveLength(1);
      expect(h.entries[0]!.source).toBe('web');
      running?.close();
      running = undefined;
      const k2 = kit();
      const base2 = await serve(k2, { ...twilio, consentSource: 'signup_form' });
      await post(
        `${base2}/verifications`,
        JSON.stringify({ phone: VICTIM, consent: { text: CONSENT_TEXT, version: 1, source: 'x' } }),
        { 'content-type': 'application/json' },
      );
      expect((await history(k2)).entries[0]!.source).toBe('signup_form');
    });
  });
}
