/**
 * Attack: replay a signed inbound STOP captured at another deployment on the same Vonage
 * account. Vonage signs inbound messages with the account's signature secret (SMS API `sig`,
 * Messages API HS256 JWT), so two apps on one account (production and staging, or two
 * products, each with its own number) share it; the signature says the message is from
 * Vonage, not that it was sent to this app. With `inbound: { vonage: { signatureSecret } }`
 * alone, a STOP/START signed for the other app's number was read here. Fixed:
 * `vonage.numbers` (the numbers this deployment receives on) is required, and a signed message
 * whose `to` (SMS API param; Messages API body, WhatsApp too) is not one of them is 401
 * `signature_invalid`; a webhook without it is refused at startup. Over real sockets on every
 * framework.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { vonageSignature } from '../../src/delivery/vonage-signature';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import type { AnyOptions, Running } from '../http/servers';
import { vonageMessagesJwt } from './inbound-fixtures';
import { FRAMEWORKS } from './support';

const VICTIM = '+12133734253';
const SECRET = 'vonage-signature-secret-shared-by-two-apps';
/** This deployment's numbers, configured E.164 and digits-only. */
const OURS = '+447700900000';
const OURS_TOO = '14155550100';
/** The other deployment's number on the same Vonage account. */
const THEIRS = '447700900999';
const T0 = Date.UTC(2030, 0, 1);

/** An SMS API inbound message to `to`, signed with the account's secret. */
function smsApi(to: string | undefined, text: string) {
  const params: Record<string, string> = {
    msisdn: VICTIM.slice(1),
    ...(to !== undefined ? { to } : {}),
    messageId: `0A0000000${randomUUID().slice(0, 8)}`,
    text,
    type: 'text',
    'api-key': 'abcd1234',
    timestamp: String(Math.floor(T0 / 1000)),
    nonce: randomUUID(),
  };
  return new URLSearchParams({ ...params, sig: vonageSignature(SECRET, params) }).toString();
}

/** A Messages API inbound message to `to` and its `Authorization`, signed with the secret. */
async function messagesApi(
  to: unknown,
  text: string,
  channel: 'sms' | 'whatsapp',
  from = VICTIM.slice(1),
) {
  const body = JSON.stringify({
    channel,
    message_uuid: randomUUID(),
    to,
    from,
    timestamp: new Date(T0).toISOString(),
    text,
    message_type: 'text',
  });
  const jwt = await vonageMessagesJwt(body, SECRET, T0);
  return { body, headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` } };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

for (const [framework, mount] of FRAMEWORKS) {
  describe(`Vonage inbound STOP signed for another deployment's number (${framework})`, () => {
    let running: Running | undefined;
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });
    async function serve(options: AnyOptions) {
      const verifier = createVerifier({
        secret: 'inbound-vonage-number-adversary-secret-01',
        store: memoryStore({ now: () => T0 }),
        sender: outboxSender(),
        now: () => T0,
        consent: consent({ ledger: memoryConsentLedger() }),
      });
      running = await mount(verifier, { now: () => T0, ...options });
      const url = `${running.base}/inbound-sms`;
      const post = async (body: string, headers: Record<string, string>) =>
        (await fetch(url, { method: 'POST', body, headers })).status;
      const kinds = async () =>
        (await verifier.consent.history({ phone: VICTIM }))
          ._unsafeUnwrap()
          .entries.map((e) => e.kind);
      return { post, kinds };
    }
    const vonage = { signatureSecret: SECRET, numbers: [OURS, OURS_TOO] };

    it('SMS API: a signed STOP to another number (or to none) is 401; one to ours is read', async () => {
      const { post, kinds } = await serve({ inbound: { vonage } });
      expect(await post(smsApi(THEIRS, 'STOP'), FORM)).toBe(401);
      expect(await post(smsApi(`+${THEIRS}`, 'STOP'), FORM)).toBe(401);
      expect(await post(smsApi(undefined, 'STOP'), FORM)).toBe(401);
      expect(await kinds()).toEqual([]);
      // Vonage sends `to` digits-only: ours configured as E.164 and as digits both match.
      expect(await post(smsApi(OURS.slice(1), 'STOP'), FORM)).toBe(200);
      expect(await post(smsApi(OURS_TOO, 'START'), FORM)).toBe(200);
      expect(await kinds()).toEqual(['opted_out', 'opted_in']);
    });

    for (const channel of ['sms', 'whatsapp'] as const) {
      it(`Messages API (${channel}): a signed STOP to another number is 401; one to ours is read`, async () => {
        const { post, kinds } = await serve({ inbound: { vonage } });
        for (const to of [THEIRS, `+${THEIRS}`, undefined]) {
          const m = await messagesApi(to, 'STOP', channel);
          expect(await post(m.body, m.headers)).toBe(401);
        }
        expect(await kinds()).toEqual([]);
        const m = await messagesApi(OURS.slice(1), 'STOP', channel);
        expect(await post(m.body, m.headers)).toBe(200);
        expect(await kinds()).toEqual(['opted_out']);
      });
    }

    it('Messages API: the signed JSON re-sent as a form reads nothing the JSON does not say', async () => {
      // The attacker texts the other app's number from their own phone with a text that, read
      // as a form, names our number, the victim and STOP; Vonage signs the JSON as it is
      // (`&` and `=` unescaped). Replayed here with a form content type, the hash still matches.
      const { post, kinds } = await serve({ inbound: { vonage } });
      const text = `hi&to=${OURS.slice(1)}&from=${VICTIM.slice(1)}&text=STOP&channel=sms&z=`;
      const m = await messagesApi(THEIRS, text, 'sms', '15005550006');
      expect(await post(m.body, m.headers)).toBe(401);
      expect(await post(m.body, { ...m.headers, ...FORM })).toBe(401);
      expect(await kinds()).toEqual([]);
      // Ours, re-sent as a form: read from the signed JSON (the attacker's own number, HELP-less text).
      const own = await messagesApi(OURS.slice(1), 'STOP', 'sms');
      expect(await post(own.body, { ...own.headers, ...FORM })).toBe(200);
      expect(await kinds()).toEqual(['opted_out']);
    });

    it('without `numbers` (or with an empty or implausible list) the webhook is refused at startup', async () => {
      for (const numbers of [undefined, [], ['not-a-number'], [OURS, '']]) {
        const inbound = { vonage: { signatureSecret: SECRET, ...(numbers ? { numbers } : {}) } };
        await expect(serve({ inbound } as never)).rejects.toThrow(/vonage\.numbers/);
        expect(running).toBeUndefined();
      }
    });
  });
}
