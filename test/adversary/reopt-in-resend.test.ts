/**
 * Attack: learn that a number texted STOP from a resend. A start with consent for an
 * opted-out number is accepted (the consent is held until its code is verified, and that
 * one code goes out), answering exactly as for a number that never consented
 * (`sendsLeft: 4`); but a resend after the cooldown answered 403 `opted_out`, naming the
 * number's state, where the other number's resend went out. The resend of a verification
 * holding a re-opt-in is now refused as a verification whose sends are spent
 * (`send_limit_reached`, as `maxSends` answers), nothing sent. What still tells the two apart (the
 * resend refused or sent, a later start without consent) is a documented residual risk
 * (docs/threat-model.md, the "consent state of a number" row). Over real sockets, every
 * framework.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import type { Running } from '../http/servers';
import { FRAMEWORKS, MEMORY_ONLY } from './support';

const SECRET = 'reopt-in-resend-secret-reopt-in-resend-secret';
const OPTED_OUT = '+12133734253';
const NEVER = '+12133734254';
const CONSENT_TEXT = 'Yes, text me one-time codes. Msg & data rates may apply.';
const T0 = Date.UTC(2030, 0, 1);
const COOLDOWN_MS = 31_000;

async function post(base: string, path: string, body: unknown) {
  const r = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON of any shape
  return { status: r.status, json: (await r.json()) as any };
}

/** A start's answer without what differs by design (the id, the masked number). */
const shape = (json: Record<string, unknown>) => ({ ...json, id: undefined, to: undefined });

for (const [framework, mount] of FRAMEWORKS) {
  describe(`resend of a start with consent for an opted-out number (${framework})`, () => {
    let running: Running | undefined;
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await running?.close();
      await close?.();
      running = undefined;
      close = undefined;
    });

    it('is refused as a spent verification, never `opted_out`; nothing more is sent', async () => {
      const clock = { now: T0 };
      const now = () => clock.now;
      const s = await MEMORY_ONLY[0]!.make(now);
      close = s.close;
      const outbox = outboxSender();
      const verifier = createVerifier({
        secret: SECRET,
        store: s.store,
        sender: outbox,
        now,
        consent: consent({
          ledger: memoryConsentLedger(),
          required: { version: 1, text: CONSENT_TEXT },
        }),
      });
      await verifier.consent.record({ phone: OPTED_OUT, text: CONSENT_TEXT, version: 1 });
      await verifier.consent.optOut({ phone: OPTED_OUT, source: 'sms_keyword' });
      running = await mount(verifier, { now });
      const given = { text: CONSENT_TEXT, version: 1 };

      const a = await post(running.base, '/verifications', { phone: OPTED_OUT, consent: given });
      const b = await post(running.base, '/verifications', { phone: NEVER, consent: given });
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(shape(a.json)).toEqual(shape(b.json));
      const sentToOptedOut = () => outbox.messages.filter((m) => m.to === OPTED_OUT).length;
      expect(sentToOptedOut()).toBe(1);

      clock.now += COOLDOWN_MS;
      const ra = await post(running.base, `/verifications/${a.json.id}/resend`, {});
      expect(ra.status).toBe(429);
      expect(ra.json.error.code).toBe('send_limit_reached');
      expect(ra.json.error.retryAfter).toBeUndefined();
      expect(JSON.stringify(ra.json)).not.toMatch(/opt/i);
      expect(sentToOptedOut()).toBe(1);
      // A verification whose sends are spent answers the same, byte for byte.
      const spent = createVerifier({
        secret: SECRET,
        store: (await MEMORY_ONLY[0]!.make(now)).store,
        sender: outboxSender(),
        now,
        policy: { maxSends: 1 },
      });
      const other = await running.close().then(() => mount(spent, { now }));
      running = other;
      const c = await post(other.base, '/verifications', { phone: NEVER });
      clock.now += COOLDOWN_MS;
      const rc = await post(other.base, `/verifications/${c.json.id}/resend`, {});
      expect([rc.status, rc.json]).toEqual([ra.status, ra.json]);

      // The held consent still works: the owner verifies with the one code, and is opted in.
      const code = outbox.messages.find((m) => m.to === OPTED_OUT)?.code;
      const verified = await verifier.check({ id: a.json.id, code: code as string });
      expect(verified._unsafeUnwrap().status).toBe('approved');
      const state = (await verifier.consent.status({ phone: OPTED_OUT }))._unsafeUnwrap().state;
      expect(state).toBe('opted_in');
    });

    it('a failed read of the held consent answers store_unavailable, never `opted_out`', async () => {
      const clock = { now: T0 };
      const now = () => clock.now;
      const s = await MEMORY_ONLY[0]!.make(now);
      close = s.close;
      // The store fails reads of held consents (an outage of one shard, a timeout).
      const failing = { on: false };
      const store = new Proxy(s.store, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (prop !== 'get' || typeof v !== 'function') return v;
          return (key: string, ...rest: unknown[]) =>
            failing.on && key.startsWith('consent-reopt:')
              ? Promise.reject(new Error('read timed out'))
              : v.call(target, key, ...rest);
        },
      });
      const verifier = createVerifier({
        secret: SECRET,
        store,
        sender: outboxSender(),
        now,
        consent: consent({
          ledger: memoryConsentLedger(),
          required: { version: 1, text: CONSENT_TEXT },
        }),
      });
      const given = { text: CONSENT_TEXT, version: 1 };
      running = await mount(verifier, { now });
      const a = await post(running.base, '/verifications', { phone: OPTED_OUT, consent: given });
      expect(a.status).toBe(201);
      await verifier.consent.optOut({ phone: OPTED_OUT, source: 'sms_keyword' });
      failing.on = true;
      clock.now += COOLDOWN_MS;
      const r = await post(running.base, `/verifications/${a.json.id}/resend`, {});
      expect(r.status).toBe(503);
      expect(r.json.error.code).toBe('store_unavailable');
      expect(JSON.stringify(r.json)).not.toMatch(/opt/i);
    });
  });
}
