/**
 * The verifier's delivery integration: send attempts in `status()`, status webhooks applied
 * with `verifier.delivery`, automatic SMS → voice fallback (at send time and from a delivery
 * report), and provider opt-outs (Twilio 21610) recorded in the consent ledger.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { parseTwilioStatus, twilioSender } from '../../adapters/twilio/index';
import { consent } from '../../src/consent/index';
import { keyring, phoneKey } from '../../src/secrets';
import { outboxSender } from '../../src/senders/outbox';
import { createVerifier } from '../../src/verifier/create';
import { eventRef } from '../../src/verifier/ids';
import type { VerifierEvent } from '../../src/verifier/types';
import { startTwilioFake, TWILIO_ERRORS, type TwilioFake } from '../fakes/twilio';

const secret = 'delivery-integration-secret-0123456789';
/** The phone's key: the record part of a delivery ref (verification ids do not show it). */
const PKEY = phoneKey(keyring(secret), '+14155550100');
const accountSid = `AC${'a1'.repeat(16)}`;
const hook = 'https://hooks.acme.example/twilio/status';

let fake: TwilioFake;
let now: number;
let events: VerifierEvent[];

beforeEach(async () => {
  now = 1_700_000_000_000;
  events = [];
  fake = await startTwilioFake({ accountSid, authToken: 'tok', numbers: ['+15005550006'] });
});
afterEach(() => fake.close());

function make(extra: Record<string, unknown> = {}) {
  return createVerifier({
    secret,
    store: memoryStore({ now: () => now }),
    now: () => now,
    sender: twilioSender({
      accountSid,
      authToken: 'tok',
      from: '+15005550006',
      baseUrl: fake.url,
      statusCallback: hook,
      retry: false,
    }),
    appName: 'Acme',
    abuse: false,
    policy: { resendCooldownMs: 0 },
    onEvent: (e) => {
      events.push(e);
    },
    ...extra,
  });
}

/** The callback Twilio would post for request `i`. */
function callback(i: number, status: string, extra: Record<string, string> = {}) {
  const f = fake.fields(i);
  const isCall = fake.requests[i]!.url.endsWith('Calls.json');
  const sid = (fake.replies[i]!.body as { sid: string }).sid;
  const params = isCall
    ? { CallSid: sid, CallStatus: status, To: f.get('To')![0]!, ...extra }
    : { MessageSid: sid, MessageStatus: status, To: f.get('To')![0]!, ...extra };
  return parseTwilioStatus(params, f.get('StatusCallback')![0]!)._unsafeUnwrap();
}

/** A memory store that lists the key of each `update`. */
function countingStore() {
  const store = memoryStore({ now: () => now });
  const keys: string[] = [];
  const update: typeof store.update = (key, fn) => {
    keys.push(key);
    return store.update(key, fn);
  };
  return { store: { ...store, update }, keys };
}

describe('send attempts and status webhooks', () => {
  it('status() lists each send; a delivered callback updates it and emits an event', async () => {
    const v = make();
    const started = (await v.start({ phone: '+14155550100' }))._unsafeUnwrap();
    const before = (await v.status({ id: started.id }))._unsafeUnwrap();
    // Recorded with the decision, before the message left: no provider id yet, and the tag
    // that the status callback's reference carries after the record's 32 characters (the
    // phone's key: ids are opaque and do not contain it).
    expect(before.attempts).toEqual([
      {
        messageId: '',
        ref: expect.stringMatching(/^[A-Za-z0-9_-]{8}$/),
        channel: 'sms',
        at: now,
        state: 'queued',
        updatedAt: now,
      },
    ]);
    const tag = before.attempts[0]!.ref!;
    const url = new URL(fake.fields(0).get('StatusCallback')![0]!);
    expect(url.searchParams.get('ref')).toBe(PKEY + tag);

    now += 5000;
    const applied = await v.delivery({ report: callback(0, 'delivered') });
    expect(applied._unsafeUnwrap()).toMatchObject({
      id: started.id,
      changed: true,
      attempt: { state: 'delivered', updatedAt: now, messageId: started.messageId },
    });
    expect((await v.status({ id: started.id }))._unsafeUnwrap().attempts).toEqual([
      {
        messageId: started.messageId,
        provider: 'twilio',
        ref: tag,
        channel: 'sms',
        at: now - 5000,
        state: 'delivered',
        updatedAt: now,
      },
    ]);
    expect(events.filter((e) => e.type === 'verification.delivery_status')).toEqual([
      expect.objectContaining({
        ref: eventRef(keyring(secret), started.id),
        status: 'delivered',
        messageId: started.messageId,
        provider: 'twilio',
      }),
    ]);

    // A late "sent" changes nothing and emits nothing.
    const late = await v.delivery({ report: callback(0, 'sent') });
    expect(late._unsafeUnwrap().changed).toBe(false);
    expect(events.filter((e) => e.type === 'verification.delivery_status')).toHaveLength(1);
  });

  it('a start the provider accepts writes its record once: decision and attempt together', async () => {
    const { store: counted, keys } = countingStore();
    const v = make({ store: counted });
    const started = (await v.start({ phone: '+14155550100' }))._unsafeUnwrap();
    expect(keys).toEqual([`phone:${PKEY}`]);
    keys.length = 0;
    now += 60_000;
    (await v.resend({ id: started.id }))._unsafeUnwrap();
    expect(keys).toHaveLength(1);
  });

  it('a first report names the message; an unknown tag is not_found', async () => {
    const v = make();
    const started = (await v.start({ phone: '+14155550100' }))._unsafeUnwrap();
    const report = callback(0, 'sent');
    const wrongTag = { ...report, ref: `${report.ref!.slice(0, 32)}AAAAAAAA` };
    expect((await v.delivery({ report: wrongTag }))._unsafeUnwrapErr().code).toBe('not_found');
    expect((await v.delivery({ report }))._unsafeUnwrap().attempt).toMatchObject({
      messageId: started.messageId,
      state: 'sent',
    });
    const { ref: _ref, ...noRef } = report;
    expect((await v.delivery({ report: noRef }))._unsafeUnwrapErr().code).toBe('invalid_request');
    expect((await v.delivery({ report: 'x' as never }))._unsafeUnwrapErr().code).toBe(
      'invalid_request',
    );
  });

  it('each send has its own tag: reports for a start and its resend, in reverse order', async () => {
    const v = make();
    const started = (await v.start({ phone: '+14155550100' }))._unsafeUnwrap();
    now += 60_000;
    const resent = (await v.resend({ id: started.id }))._unsafeUnwrap();
    now += 1000;
    (await v.delivery({ report: callback(1, 'delivered') }))._unsafeUnwrap();
    (
      await v.delivery({ report: callback(0, 'undelivered', { ErrorCode: '30003' }) })
    )._unsafeUnwrap();
    const attempts = (await v.status({ id: started.id }))._unsafeUnwrap().attempts;
    expect(attempts.map((a) => [a.messageId, a.state])).toEqual([
      [started.messageId, 'failed'],
      [resent.messageId, 'delivered'],
    ]);
    expect(attempts[0]!.ref).not.toBe(attempts[1]!.ref);
  });

  it('a report without the send tag is matched by message id only (a forged one is not_found)', async () => {
    // The record part of the ref is the phone's key (no longer part of the verification id);
    // without the tag a report must name a message id the record knows.
    const v = make();
    (await v.start({ phone: '+14155550100' }))._unsafeUnwrap();
    const forged = {
      ...callback(0, 'undelivered', { ErrorCode: '30006' }),
      ref: PKEY,
      messageId: 'SMforged',
    };
    expect((await v.delivery({ report: forged }))._unsafeUnwrapErr().code).toBe('not_found');
    expect(fake.requests).toHaveLength(1); // no fallback call
    const real = callback(0, 'delivered');
    expect((await v.delivery({ report: real }))._unsafeUnwrap().changed).toBe(true);
    // Named now, yet a report without the tag is still not ours: this sender's reports all
    // carry it (`reportsCarryRef`), and a message id can be known to a forger.
    const untagged = { ...callback(0, 'delivered'), ref: PKEY };
    expect((await v.delivery({ report: untagged }))._unsafeUnwrapErr().code).toBe('not_found');
    // Nor does a wrong tag reach the named attempt through its message id.
    const wrongTag = { ...callback(0, 'undelivered', { ErrorCode: '30006' }) };
    const tag = wrongTag.ref!.slice(32) === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA';
    const forgedTag = { ...wrongTag, ref: PKEY + tag };
    expect((await v.delivery({ report: forgedTag }))._unsafeUnwrapErr().code).toBe('not_found');
    expect(fake.requests).toHaveLength(1);
  });

  it('a sender without reportsCarryRef: a report without the tag is matched by message id', async () => {
    const v = make({ sender: outboxSender() });
    const started = (await v.start({ phone: '+14155550100' }))._unsafeUnwrap();
    const report = {
      provider: 'outbox',
      messageId: started.messageId,
      channel: 'sms' as const,
      state: 'delivered' as const,
      providerStatus: 'delivered',
      ref: PKEY,
    };
    expect((await v.delivery({ report }))._unsafeUnwrap().changed).toBe(true);
    // A tag that names no send: not_found, even with the known message id.
    const forged = { ...report, state: 'failed' as const, ref: `${report.ref}AAAAAAAA` };
    expect((await v.delivery({ report: forged }))._unsafeUnwrapErr().code).toBe('not_found');
  });

  it('a sender without reportsCarryRef: the id is written once the provider answers', async () => {
    // twilioSender with a callback function: the URL it returns may not carry the ref.
    const { store: counted, keys } = countingStore();
    const sender = twilioSender({
      accountSid,
      authToken: 'tok',
      from: '+15005550006',
      baseUrl: fake.url,
      statusCallback: () => hook,
      retry: false,
    });
    expect(sender.reportsCarryRef).toBeUndefined();
    const v = make({ store: counted, sender });
    const started = (await v.start({ phone: '+14155550100' }))._unsafeUnwrap();
    expect(keys).toHaveLength(2);
    const attempts = (await v.status({ id: started.id }))._unsafeUnwrap().attempts;
    expect(attempts).toEqual([
      expect.objectContaining({ messageId: started.messageId, provider: 'twilio' }),
    ]);
    const untagged = { ...callback(0, 'delivered'), ref: PKEY };
    expect((await v.delivery({ report: untagged }))._unsafeUnwrap().changed).toBe(true);
  });

  it('a sender that throws leaves its attempt failed (provider_error), not queued', async () => {
    const ids: string[] = [];
    const v = make({
      sender: {
        send: async (m: { verificationId: string }) => {
          ids.push(m.verificationId);
          throw new Error('socket hang up');
        },
      },
    });
    const r = await v.start({ phone: '+14155550100' });
    expect(r._unsafeUnwrapErr().code).toBe('delivery_failed');
    // Events carry a ref, not the id (a handle): the sender saw the id.
    const id = ids[0]!;
    const attempts = (await v.status({ id }))._unsafeUnwrap().attempts;
    expect(attempts).toEqual([
      expect.objectContaining({ messageId: '', state: 'failed', reason: 'provider_error' }),
    ]);
  });
});

describe('automatic voice fallback', () => {
  it('a landline (21614) gets a call with the same code; status shows both attempts', async () => {
    const v = make();
    const started = (await v.start({ phone: '+15005550009' }))._unsafeUnwrap();
    expect(started).toMatchObject({ channel: 'voice', messageId: expect.stringMatching(/^CA/) });
    const status = (await v.status({ id: started.id }))._unsafeUnwrap();
    expect(status.channel).toBe('voice');
    expect(status.attempts).toEqual([
      expect.objectContaining({
        channel: 'sms',
        state: 'failed',
        reason: 'not_mobile',
        errorCode: '21614',
      }),
      expect.objectContaining({ channel: 'voice', state: 'queued', messageId: started.messageId }),
    ]);
    expect(fake.requests.map((r) => r.url.split('/').at(-1))).toEqual([
      'Messages.json',
      'Calls.json',
    ]);
  });

  it('off with voiceOn: false: the start fails with delivery_failed and the attempt recorded', async () => {
    const v = make({ delivery: { fallback: { voiceOn: false } } });
    const r = await v.start({ phone: '+15005550009' });
    expect(r._unsafeUnwrapErr().code).toBe('delivery_failed');
    expect(fake.requests).toHaveLength(1);
  });

  it('an undelivered callback (30006, landline) for the latest SMS calls instead', async () => {
    const v = make();
    const started = (await v.start({ phone: '+14155550100' }))._unsafeUnwrap();
    now += 60_000;
    const r = (
      await v.delivery({ report: callback(0, 'undelivered', { ErrorCode: '30006' }) })
    )._unsafeUnwrap();
    expect(r.fallback).toMatchObject({
      id: started.id,
      channel: 'voice',
      messageId: expect.stringMatching(/^CA/),
    });
    const status = (await v.status({ id: started.id }))._unsafeUnwrap();
    expect(status.channel).toBe('voice');
    expect(status.attempts.map((a) => `${a.channel}:${a.state}`)).toEqual([
      'sms:failed',
      'voice:queued',
    ]);
  });

  it('the report-driven call is not held to the resend cooldown (a person resending is)', async () => {
    // Twilio reports a landline (30006) within seconds; the cooldown paces people, not this.
    const v = make({ policy: { resendCooldownMs: 30_000 } });
    const started = (await v.start({ phone: '+14155550100' }))._unsafeUnwrap();
    now += 5_000;
    expect((await v.resend({ id: started.id }))._unsafeUnwrapErr().code).toBe('resend_too_soon');
    const r = (
      await v.delivery({ report: callback(0, 'undelivered', { ErrorCode: '30006' }) })
    )._unsafeUnwrap();
    expect(r.fallback).toMatchObject({ id: started.id, channel: 'voice' });
    expect(fake.requests.map((q) => q.url.split('/').at(-1))).toEqual([
      'Messages.json',
      'Calls.json',
    ]);
  });

  it('a temporary failure (30003, unreachable) does not switch', async () => {
    const v = make();
    await v.start({ phone: '+14155550100' });
    const r = (
      await v.delivery({ report: callback(0, 'undelivered', { ErrorCode: '30003' }) })
    )._unsafeUnwrap();
    expect(r.fallback).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
  });

  it('rejects a malformed policy at construction', () => {
    expect(() => make({ delivery: { fallback: { voiceOn: 'not_mobile' } } })).toThrow(/voiceOn/);
  });
});

describe('provider opt-outs reach the consent ledger', () => {
  it('Twilio 21610 on send records an opt-out; the next start is refused before Twilio', async () => {
    const v = make({ consent: consent({ ledger: memoryConsentLedger() }) });
    const first = await v.start({ phone: '+15005550004' });
    expect(first._unsafeUnwrapErr().code).toBe('delivery_failed');
    const st = (await v.consent.status({ phone: '+15005550004' }))._unsafeUnwrap();
    expect(st.state).toBe('opted_out');
    const again = await v.start({ phone: '+15005550004' });
    // A start answers like for a number that never consented (no opt-out oracle).
    expect(again._unsafeUnwrapErr().code).toBe('consent_required');
    expect(fake.requests).toHaveLength(1);
  });

  it('a 21610 status callback records the opt-out too', async () => {
    const v = make({ consent: consent({ ledger: memoryConsentLedger() }) });
    await v.start({ phone: '+14155550100' });
    await v.delivery({ report: callback(0, 'failed', { ErrorCode: '21610' }) });
    const st = (await v.consent.status({ phone: '+14155550100' }))._unsafeUnwrap();
    expect(st.state).toBe('opted_out');
  });

  it('without a ledger nothing breaks', async () => {
    fake.queue(TWILIO_ERRORS.unsubscribed);
    const v = make();
    expect((await v.start({ phone: '+14155550100' }))._unsafeUnwrapErr().code).toBe(
      'delivery_failed',
    );
  });
});
