/**
 * WhatsApp as a channel of the verifier: `start` and `resend` on it (through the outbox
 * sender), its attempts in `status()`, its events, the phone's send windows counting it,
 * and the automatic WhatsApp → SMS fallback at send time and from a delivery report.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { type DeliveryReason, deliveryError } from '../../src/delivery/errors';
import type { DeliveryReport } from '../../src/delivery/report';
import type { Channel, OutgoingMessage } from '../../src/ports/sender';
import { keyring, phoneKey } from '../../src/secrets';
import { outboxSender } from '../../src/senders/outbox';
import { createVerifier } from '../../src/verifier/create';
import type { VerifierEvent } from '../../src/verifier/types';

const secret = 'whatsapp-channel-secret-0123456789abcd';
const PHONE = '+14155550100';
const HOUR = 3_600_000;
/** The record part of a delivery ref (no tag: the report is matched by message id). */
const PKEY = phoneKey(keyring(secret), PHONE);

let now: number;
let events: VerifierEvent[];

beforeEach(() => {
  now = 1_700_000_000_000;
  events = [];
});

/** Fails each message whose channel has a reason in `failOn`. */
function make(
  failOn: Partial<Record<Channel, DeliveryReason>> = {},
  extra: Record<string, unknown> = {},
) {
  const outbox = outboxSender({
    fail: (m: OutgoingMessage) => {
      const reason = failOn[m.channel];
      return reason ? deliveryError(reason, { provider: 'outbox' }) : undefined;
    },
  });
  const verifier = createVerifier({
    secret,
    store: memoryStore({ now: () => now }),
    now: () => now,
    sender: outbox,
    appName: 'Acme',
    abuse: false,
    onEvent: (e) => {
      events.push(e);
    },
    ...extra,
    policy: { resendCooldownMs: 0, ...(extra.policy as object | undefined) },
  });
  return { verifier, outbox };
}

describe('channel whatsapp', () => {
  it('start sends on WhatsApp: the sender gets code and locale (and the SMS text); status and events say whatsapp', async () => {
    const { verifier, outbox } = make();
    const started = (
      await verifier.start({ phone: PHONE, channel: 'whatsapp', locale: 'es-MX' })
    )._unsafeUnwrap();
    expect(started).toMatchObject({ channel: 'whatsapp', messageId: 'outbox-1' });
    const m = outbox.last()!;
    expect(m).toMatchObject({ channel: 'whatsapp', locale: 'es-MX', to: PHONE });
    expect(m.code).toMatch(/^\d{6}$/);
    expect(m.text).toContain(m.code);
    const status = (await verifier.status({ id: started.id }))._unsafeUnwrap();
    expect(status.channel).toBe('whatsapp');
    expect(status.attempts).toEqual([
      expect.objectContaining({ channel: 'whatsapp', messageId: 'outbox-1' }),
    ]);
    const types = events.map((e) => [e.type, (e as { channel?: string }).channel]);
    expect(types).toContainEqual(['verification.started', 'whatsapp']);
    expect(types).toContainEqual(['verification.sent', 'whatsapp']);
    const checked = await verifier.check({ id: started.id, code: m.code });
    expect(checked._unsafeUnwrap().status).toBe('approved');
  });

  it('resend may switch to WhatsApp and back; each attempt keeps its channel', async () => {
    const { verifier, outbox } = make();
    const started = (await verifier.start({ phone: PHONE }))._unsafeUnwrap();
    now += 60_000;
    const resent = (await verifier.resend({ id: started.id, channel: 'whatsapp' }))._unsafeUnwrap();
    expect(resent.channel).toBe('whatsapp');
    now += 60_000;
    (await verifier.resend({ id: started.id, channel: 'sms' }))._unsafeUnwrap();
    expect(outbox.messages.map((x) => x.channel)).toEqual(['sms', 'whatsapp', 'sms']);
    const status = (await verifier.status({ id: started.id }))._unsafeUnwrap();
    expect(status.attempts.map((a) => a.channel)).toEqual(['sms', 'whatsapp', 'sms']);
  });

  it('an unknown channel is invalid_request on start and resend', async () => {
    const { verifier, outbox } = make();
    const bad = await verifier.start({ phone: PHONE, channel: 'telegram' as Channel });
    expect(bad._unsafeUnwrapErr().code).toBe('invalid_request');
    const started = (await verifier.start({ phone: PHONE }))._unsafeUnwrap();
    const r = await verifier.resend({ id: started.id, channel: 'WhatsApp' as Channel });
    expect(r._unsafeUnwrapErr().code).toBe('invalid_request');
    expect(outbox.messages).toHaveLength(1);
  });

  it("WhatsApp messages count in the phone's send windows like any message", async () => {
    const { verifier, outbox } = make(
      {},
      { policy: { sendWindows: [{ windowMs: HOUR, max: 3 }] } },
    );
    const a = (await verifier.start({ phone: PHONE, channel: 'whatsapp' }))._unsafeUnwrap();
    now += 1000;
    (await verifier.resend({ id: a.id, channel: 'sms' }))._unsafeUnwrap();
    now += 1000;
    (await verifier.start({ phone: PHONE, channel: 'whatsapp', purpose: 'other' }))._unsafeUnwrap();
    now += 1000;
    const refused = await verifier.start({ phone: PHONE, channel: 'whatsapp', purpose: 'third' });
    expect(refused._unsafeUnwrapErr()).toMatchObject({
      code: 'send_limit_reached',
      retryAfter: HOUR / 1000 - 3,
    });
    expect(outbox.messages).toHaveLength(3);
  });
});

describe('WhatsApp → SMS fallback', () => {
  it('at send time: a number not on WhatsApp gets the same code by SMS, in one counted send', async () => {
    const { verifier, outbox } = make(
      { whatsapp: 'not_on_whatsapp' },
      { policy: { sendWindows: [{ windowMs: HOUR, max: 2 }] } },
    );
    const started = (await verifier.start({ phone: PHONE, channel: 'whatsapp' }))._unsafeUnwrap();
    expect(started).toMatchObject({ channel: 'sms', messageId: 'outbox-1' });
    expect(outbox.messages.map((m) => m.channel)).toEqual(['sms']);
    const status = (await verifier.status({ id: started.id }))._unsafeUnwrap();
    expect(status.channel).toBe('sms');
    expect(status.attempts).toEqual([
      expect.objectContaining({ channel: 'whatsapp', state: 'failed', reason: 'not_on_whatsapp' }),
      expect.objectContaining({ channel: 'sms', messageId: 'outbox-1' }),
    ]);
    const failed = events.find((e) => e.type === 'verification.delivery_failed');
    expect(failed).toMatchObject({ channel: 'whatsapp', reason: 'not_on_whatsapp' });
    // The send counted once: one more start fits the window of two, the next does not.
    now += 1000;
    (await verifier.start({ phone: PHONE, channel: 'whatsapp', purpose: 'b' }))._unsafeUnwrap();
    now += 1000;
    const third = await verifier.start({ phone: PHONE, channel: 'whatsapp', purpose: 'c' });
    expect(third._unsafeUnwrapErr().code).toBe('send_limit_reached');
    // The SMS carried the code of the verification.
    const code = outbox.messages[0]!.code;
    expect((await verifier.check({ id: started.id, code }))._unsafeUnwrap().status).toBe(
      'approved',
    );
  });

  it('follows the chain: not on WhatsApp, then a landline, gets a call', async () => {
    const { verifier, outbox } = make({ whatsapp: 'not_on_whatsapp', sms: 'not_mobile' });
    const started = (await verifier.start({ phone: PHONE, channel: 'whatsapp' }))._unsafeUnwrap();
    expect(started.channel).toBe('voice');
    expect(outbox.messages.map((m) => m.channel)).toEqual(['voice']);
    const status = (await verifier.status({ id: started.id }))._unsafeUnwrap();
    expect(status.attempts.map((a) => `${a.channel}:${a.state}`)).toEqual([
      'whatsapp:failed',
      'sms:failed',
      'voice:queued',
    ]);
  });

  it('not for other failures, nor with smsOn: false', async () => {
    for (const [reason, policy] of [
      ['invalid_number', {}],
      ['unsubscribed', {}],
      ['provider_config', {}],
      ['not_on_whatsapp', { smsOn: false }],
    ] as const) {
      const { verifier, outbox } = make({ whatsapp: reason }, { delivery: { fallback: policy } });
      const r = await verifier.start({ phone: PHONE, channel: 'whatsapp' });
      expect(r._unsafeUnwrapErr().code).toBe('delivery_failed');
      expect(outbox.messages).toHaveLength(0);
    }
  });

  it('smsOn may name more permanent reasons', async () => {
    const { verifier } = make(
      { whatsapp: 'blocked' },
      { delivery: { fallback: { smsOn: ['not_on_whatsapp', 'blocked'] } } },
    );
    const started = await verifier.start({ phone: PHONE, channel: 'whatsapp' });
    expect(started._unsafeUnwrap().channel).toBe('sms');
  });

  it('rejects a malformed smsOn at construction', () => {
    expect(() => make({}, { delivery: { fallback: { smsOn: 'not_on_whatsapp' } } })).toThrow(
      /smsOn/,
    );
  });

  it('from a failed delivery report: resends by SMS, held to the send windows', async () => {
    const { verifier, outbox } = make(
      {},
      { policy: { sendWindows: [{ windowMs: HOUR, max: 2 }] } },
    );
    const started = (await verifier.start({ phone: PHONE, channel: 'whatsapp' }))._unsafeUnwrap();
    const report = (messageId: string): DeliveryReport => ({
      provider: 'outbox',
      messageId,
      channel: 'whatsapp',
      state: 'failed',
      providerStatus: 'failed',
      error: deliveryError('not_on_whatsapp', { provider: 'outbox' }),
      ref: PKEY,
    });
    now += 5000;
    const r = (await verifier.delivery({ report: report(started.messageId) }))._unsafeUnwrap();
    expect(r.fallback).toMatchObject({ id: started.id, channel: 'sms' });
    expect(outbox.messages.map((m) => m.channel)).toEqual(['whatsapp', 'sms']);
    const status = (await verifier.status({ id: started.id }))._unsafeUnwrap();
    expect(status.channel).toBe('sms');
    expect(status.attempts.map((a) => `${a.channel}:${a.state}`)).toEqual([
      'whatsapp:failed',
      'sms:queued',
    ]);

    // Windows full (two sends this hour): a second verification's failed WhatsApp
    // message gets no SMS.
    now += HOUR + 1;
    const b = (await verifier.start({ phone: PHONE, channel: 'whatsapp' }))._unsafeUnwrap();
    now += 1000;
    (await verifier.start({ phone: PHONE, purpose: 'other' }))._unsafeUnwrap();
    const bReport = report(b.messageId);
    const late = (await verifier.delivery({ report: bReport }))._unsafeUnwrap();
    expect(late.changed).toBe(true);
    expect(late.fallback).toBeUndefined();
    expect(outbox.messages.map((m) => m.channel)).toEqual(['whatsapp', 'sms', 'whatsapp', 'sms']);
  });
});
