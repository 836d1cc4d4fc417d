/**
 * Attack: reuse of another client's `Idempotency-Key`. The victim starts a verification
 * (with consent) under a key; the attacker, from another address, sends the same key:
 * with the same number it used to get the victim's verification id (without giving consent
 * or spending a budget) and could then cancel it; with another number it got 409, telling
 * it that the key is in use. Keys must be scoped to the requester, the consent must be part
 * of the request's fingerprint, and another requester must be answered as if the key were
 * unknown: a fresh, independent verification, never the first's id and never 409.
 *
 * Over real sockets on both frameworks and every store. Requesters are told apart by their
 * address: the servers trust `X-Forwarded-For` in this harness only (as behind a proxy).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { call } from '../http/kit';
import type { Running } from '../http/servers';
import { FRAMEWORKS, STORES, type StoreUnderTest } from './support';

const PHONE = '+14155550142';
const OTHER = '+14155550143';
const VICTIM_IP = '198.51.100.7';
const ATTACKER_IP = '203.0.113.66';
const CONSENT = { text: 'I agree to receive one text with a code.', version: 3 };

let running: Running | undefined;
let held: StoreUnderTest | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
  await held?.close();
  held = undefined;
});

describe.each(STORES)('$name store: shared idempotency keys', (kind) => {
  describe.each(FRAMEWORKS)('%s', (_name, mount) => {
    async function setup() {
      if (!(await kind.available())) return undefined;
      held = await kind.make();
      const outbox = outboxSender();
      const verifier = createVerifier({
        secret: 'adversary-idempotency-secret-0123456789',
        store: held.store,
        sender: outbox,
        consent: consent({ ledger: memoryConsentLedger() }),
        policy: { resendCooldownMs: 0 },
      });
      running = await mount(verifier, {}, { trustProxy: '127.0.0.1' });
      const base = running.base;
      const start = (ip: string, key: string, body: Record<string, unknown>) =>
        call(`${base}/verifications`, {
          method: 'POST',
          headers: { 'x-forwarded-for': ip, 'idempotency-key': key },
          json: body,
        });
      const cancel = (ip: string, id: string) =>
        call(`${base}/verifications/${id}`, {
          method: 'DELETE',
          headers: { 'x-forwarded-for': ip },
        });
      return { outbox, verifier, start, cancel };
    }

    it('the same key and number from another requester is a fresh verification, not the first', async (ctx) => {
      const t = await setup();
      if (!t) return ctx.skip();
      const key = `order-${Math.random().toString(36).slice(2)}`;
      const victim = await t.start(VICTIM_IP, key, { phone: PHONE, consent: CONSENT });
      expect(victim.status).toBe(201);
      const attack = await t.start(ATTACKER_IP, key, { phone: PHONE });
      expect(attack.status).toBe(201);
      // Not the victim's verification: its own, with its own message.
      expect(attack.json.id).not.toBe(victim.json.id);
      expect(t.outbox.messages).toHaveLength(2);
      // What it can cancel is its own start (which, as any start to the number, superseded
      // the pending one: the phone's own limits bound that), never through the victim's id.
      expect((await t.cancel(ATTACKER_IP, attack.json.id)).status).toBe(200);
      expect(t.outbox.messages.map((m) => m.verificationId)).toEqual([
        victim.json.id,
        attack.json.id,
      ]);
      // The victim's retry still replays its own verification, and sends nothing.
      const again = await t.start(VICTIM_IP, key, { phone: PHONE, consent: CONSENT });
      expect(again.json.id).toBe(victim.json.id);
      expect(t.outbox.messages).toHaveLength(2);
    });

    it('the same key with another number from another requester is not a 409', async (ctx) => {
      const t = await setup();
      if (!t) return ctx.skip();
      const key = `order-${Math.random().toString(36).slice(2)}`;
      const victim = await t.start(VICTIM_IP, key, { phone: PHONE, consent: CONSENT });
      expect(victim.status).toBe(201);
      const probe = await t.start(ATTACKER_IP, key, { phone: OTHER });
      // As if the key were unknown: nothing tells the attacker it is in use.
      expect(probe.status).toBe(201);
      expect(probe.json.id).not.toBe(victim.json.id);
      expect(t.outbox.messages.map((m) => m.to)).toEqual([PHONE, OTHER]);
    });

    it('the consent is part of the fingerprint: the same key without it is a conflict', async (ctx) => {
      const t = await setup();
      if (!t) return ctx.skip();
      const key = `order-${Math.random().toString(36).slice(2)}`;
      const first = await t.start(VICTIM_IP, key, { phone: PHONE, consent: CONSENT });
      expect(first.status).toBe(201);
      const without = await t.start(VICTIM_IP, key, { phone: PHONE });
      expect(without.status).toBe(409);
      expect(without.json.error.code).toBe('idempotency_conflict');
      const changed = await t.start(VICTIM_IP, key, {
        phone: PHONE,
        consent: { ...CONSENT, version: 4 },
      });
      expect(changed.status).toBe(409);
      expect(t.outbox.messages).toHaveLength(1);
    });
  });
});
