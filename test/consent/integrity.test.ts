/**
 * Nothing is lost, nothing is forged: ledger failures fail the operation and send nothing,
 * tampering is detected (and refuses sends), erasure keeps a verifiable tombstone, and an
 * opt-out that lands while a start is in flight still stops the message.
 */
import { describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { createVerifier } from '../../src/index';
import type { ConsentLedger } from '../../src/ports/consent-ledger';
import type { Store } from '../../src/ports/store';
import { keyring, phoneKey } from '../../src/secrets';
import { outboxSender } from '../../src/senders/outbox';
import { PHONE, SECRET, setup, T0, TEXT_V1 } from './support';

const v1 = { text: TEXT_V1, version: 1, source: 'web_form' };
const YEAR = 365.25 * 86_400_000;

/** A ledger that fails the named methods, delegating the rest to a memory ledger. */
function failing(methods: Array<keyof ConsentLedger>): ConsentLedger {
  const inner = memoryConsentLedger();
  const boom = async () => {
    throw new Error('connection refused');
  };
  return {
    append: methods.includes('append') ? boom : inner.append,
    head: methods.includes('head') ? boom : inner.head,
    list: methods.includes('list') ? boom : inner.list,
    redact: methods.includes('redact') ? boom : inner.redact,
    purge: methods.includes('purge') ? boom : inner.purge,
  };
}

describe('a failing ledger', () => {
  it('fails the operation with store_unavailable and sends nothing', async () => {
    const t = setup({ ledger: failing(['append']), required: { version: 1, text: TEXT_V1 } });
    const r = await t.verifier.start({ phone: PHONE, consent: v1 });
    expect(r._unsafeUnwrapErr()).toMatchObject({
      code: 'store_unavailable',
      cause: expect.any(Error),
    });
    expect(t.outbox.messages).toHaveLength(0);
    expect(t.store.size()).toBe(0);
    const stop = await t.verifier.consent.inbound({ from: PHONE, text: 'STOP' });
    expect(stop._unsafeUnwrapErr().code).toBe('store_unavailable');
    expect((await t.verifier.consent.optOut({ phone: PHONE }))._unsafeUnwrapErr().code).toBe(
      'store_unavailable',
    );
    expect(t.consentEvents()).toHaveLength(0);
  });

  it('an unreadable ledger refuses every send (fails closed), even without required consent', async () => {
    const t = setup({ ledger: failing(['head']) });
    expect((await t.verifier.start({ phone: PHONE }))._unsafeUnwrapErr().code).toBe(
      'store_unavailable',
    );
    expect((await t.verifier.consent.status({ phone: PHONE }))._unsafeUnwrapErr().code).toBe(
      'store_unavailable',
    );
    expect(t.outbox.messages).toHaveLength(0);
  });
});

describe('tampering', () => {
  it('deleting the newest opt-out is detected: status and start fail with store_corrupt', async () => {
    const t = setup();
    await t.verifier.consent.record({ phone: PHONE, ...v1 });
    await t.verifier.consent.inbound({ from: PHONE, text: 'STOP' });
    const [pk] = t.ledger.phones();
    const chain = t.ledger.unsafeChain(pk!)!;
    chain.entries.pop(); // what remains is a valid chain that says "opted in"
    expect((await t.verifier.consent.status({ phone: PHONE }))._unsafeUnwrapErr()).toMatchObject({
      code: 'store_corrupt',
      message: expect.stringContaining('truncated'),
    });
    expect((await t.verifier.start({ phone: PHONE }))._unsafeUnwrapErr().code).toBe(
      'store_corrupt',
    );
    expect(t.outbox.messages).toHaveLength(0);
    // Appending onto a truncated chain would hide the deletion: refused, nothing written.
    expect((await t.verifier.consent.record({ phone: PHONE, ...v1 }))._unsafeUnwrapErr().code).toBe(
      'store_corrupt',
    );
    expect(chain.entries).toHaveLength(1);
    const h = (await t.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
    expect(h.verdict).toEqual({ valid: false, length: 1, seq: 2, problem: 'truncated' });
  });

  it('editing an older entry is caught by history verification', async () => {
    const t = setup();
    await t.verifier.consent.record({ phone: PHONE, ...v1 });
    await t.verifier.consent.optOut({ phone: PHONE });
    await t.verifier.consent.record({ phone: PHONE, ...v1 });
    const chain = t.ledger.unsafeChain(t.ledger.phones()[0]!)!;
    chain.entries[1] = { ...chain.entries[1]!, at: chain.entries[1]!.at + 86_400_000 };
    const h = (await t.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
    expect(h.verdict).toMatchObject({ valid: false, seq: 2, problem: 'hash' });
  });
});

describe('erasure and retention', () => {
  it('erase removes ip and user agent but keeps a tombstone that still verifies', async () => {
    const t = setup();
    await t.verifier.consent.record({ phone: PHONE, ...v1, ip: '203.0.113.9', userAgent: 'UA/1' });
    await t.verifier.consent.optOut({ phone: PHONE });
    t.advance(1_000);
    const r = (await t.verifier.consent.erase({ phone: PHONE }))._unsafeUnwrap();
    expect(r).toEqual({ redacted: 1, purged: false });
    const h = (await t.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
    expect(h.entries[0]).not.toHaveProperty('ip');
    expect(h.entries[0]).not.toHaveProperty('userAgent');
    expect(h.entries[0]).toMatchObject({ text: TEXT_V1, redactedAt: T0 + 1_000 });
    expect(JSON.stringify(h)).not.toContain('203.0.113.9');
    expect(h.verdict).toMatchObject({ valid: true, length: 2 });
    // The opt-out is still honoured after erasure (a start answers `consent_required`).
    expect((await t.verifier.start({ phone: PHONE }))._unsafeUnwrapErr().code).toBe(
      'consent_required',
    );
  });

  it('keeps the history 4 years by default, then erase deletes it whole', async () => {
    const t = setup();
    await t.verifier.consent.record({ phone: PHONE, ...v1 });
    t.advance(4 * YEAR - 1);
    expect((await t.verifier.consent.erase({ phone: PHONE }))._unsafeUnwrap().purged).toBe(false);
    t.advance(1);
    expect((await t.verifier.consent.erase({ phone: PHONE }))._unsafeUnwrap().purged).toBe(true);
    expect((await t.verifier.consent.status({ phone: PHONE }))._unsafeUnwrap()).toEqual({
      state: 'none',
    });
    expect(t.ledger.phones()).toHaveLength(0);
  });

  it('retention counts from the newest entry and is configurable', async () => {
    const t = setup({ retentionMs: 1_000 });
    await t.verifier.consent.record({ phone: PHONE, ...v1 });
    t.advance(900);
    await t.verifier.consent.optOut({ phone: PHONE });
    t.advance(900);
    expect((await t.verifier.consent.erase({ phone: PHONE }))._unsafeUnwrap().purged).toBe(false);
    t.advance(100);
    expect((await t.verifier.consent.erase({ phone: PHONE }))._unsafeUnwrap().purged).toBe(true);
  });
});

describe('an opt-out racing a start', () => {
  it('is re-checked right before delivery: the message does not leave', async () => {
    const now = () => T0;
    const ledger = memoryConsentLedger();
    const outbox = outboxSender();
    const inner = memoryStore({ now });
    let hook: (() => Promise<unknown>) | undefined;
    // The opt-out lands after the guard has read "opted in", when the start's transition runs.
    const store: Store = {
      get: (k) => inner.get(k),
      async update(k, fn) {
        if (hook && k === `phone:${phoneKey(keyring(SECRET), PHONE)}`) {
          const h = hook;
          hook = undefined;
          await h();
        }
        return inner.update(k, fn);
      },
      async updateMany(ks, fn) {
        if (hook && ks.includes(`phone:${phoneKey(keyring(SECRET), PHONE)}`)) {
          const h = hook;
          hook = undefined;
          await h();
        }
        return inner.updateMany(ks, fn);
      },
    };
    const events: Array<{ type: string; reason?: string }> = [];
    const verifier = createVerifier({
      secret: SECRET,
      store,
      sender: outbox,
      now,
      consent: consent({ ledger }),
      onEvent: (e) => {
        events.push(e as never);
      },
    });
    hook = async () => verifier.consent.inbound({ from: PHONE, text: 'STOP' });
    const r = await verifier.start({ phone: PHONE });
    expect(r._unsafeUnwrapErr()).toMatchObject({
      code: 'opted_out',
      cause: { reason: 'opted_out', kind: 'permanent' },
    });
    expect(outbox.messages).toHaveLength(0);
    expect(events.find((e) => e.type === 'verification.delivery_failed')?.reason).toBe('opted_out');
  });
});

describe('misconfiguration throws at construction', () => {
  it.each([
    [{ ledger: {} }, 'ConsentLedger port'],
    [{ ledger: memoryConsentLedger(), required: { version: 1 } }, 'consent.required'],
    [
      { ledger: memoryConsentLedger(), required: { version: 'a b', text: 'x' } },
      'consent.required',
    ],
    [{ ledger: memoryConsentLedger(), retentionMs: -1 }, 'retentionMs'],
    [{ ledger: memoryConsentLedger(), replies: { help: '' } }, 'replies.help'],
  ])('%o', (options, message) => {
    // `consent(options)` validates at once, before any verifier is built.
    expect(() => consent(options as never)).toThrow(message);
  });
});
