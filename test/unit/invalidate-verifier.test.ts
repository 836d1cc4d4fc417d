/**
 * `verifier.invalidate` (src/verifier/invalidate.ts) through the public verifier: what it
 * refuses and why, which number's verifications it cancels and how the events name them,
 * that a subject alone leaves every number alone and a number alone leaves the authenticator
 * alone, and that it works the same with proofs turned off.
 */
import { describe, expect, it } from 'vitest';
import { createVerifier, type VerifierEvent } from '../../src/index';
import { totp } from '../../src/totp/index';
import { PHONE, proofSetup } from '../proof/support';
import { enrolled, SUBJECT, totpSetup } from '../totp/support';

const OTHER = '+12133734254';

describe('refused input', () => {
  it('neither a phone nor a subject, or not an object', async () => {
    const t = proofSetup();
    for (const input of [{}, { phone: undefined, subject: undefined }, { other: PHONE }]) {
      expect((await t.verifier.invalidate(input as never))._unsafeUnwrapErr()).toMatchObject({
        code: 'invalid_request',
        message: 'invalidate needs a `phone`, a `subject` or both.',
      });
    }
    for (const input of [null, 'x', [PHONE], 5]) {
      expect((await t.verifier.invalidate(input as never))._unsafeUnwrapErr()).toMatchObject({
        code: 'invalid_request',
        message: 'The request must be an object.',
      });
    }
  });

  it('a bad phone or subject refuses the whole call: nothing is canceled', async () => {
    const t = proofSetup();
    const s = (await t.verifier.start({ phone: PHONE, purpose: 'login' }))._unsafeUnwrap();
    const bad = [
      [{ phone: PHONE, subject: '' }, 'invalid_request'],
      [{ phone: 'nope', subject: SUBJECT }, 'invalid_phone'],
      [{ phone: 5 }, 'invalid_phone'],
    ] as const;
    for (const [input, code] of bad) {
      const e = (await t.verifier.invalidate(input as never))._unsafeUnwrapErr();
      expect(e.code, JSON.stringify(input)).toBe(code);
    }
    expect((await t.verifier.status({ id: s.id }))._unsafeUnwrap().status).toBe('pending');
  });
});

describe('what is canceled, and the events', () => {
  it("a number's pending verifications, with events naming the masked number", async () => {
    const events: VerifierEvent[] = [];
    const t = proofSetup({ onEvent: (e) => void events.push(e) });
    const a = (await t.verifier.start({ phone: PHONE, purpose: 'login' }))._unsafeUnwrap();
    const b = (await t.verifier.start({ phone: PHONE, purpose: 'signup' }))._unsafeUnwrap();
    const other = (await t.verifier.start({ phone: OTHER, purpose: 'login' }))._unsafeUnwrap();
    const sent = events.find((e) => e.type === 'verification.started');
    const maskedTo = sent && 'to' in sent ? sent.to : undefined;
    expect(maskedTo).toEqual(expect.any(String));
    expect(maskedTo).not.toContain('3734253');
    events.length = 0;
    t.advance(500);
    const r = (await t.verifier.invalidate({ phone: PHONE }))._unsafeUnwrap();
    expect([...r.canceled].sort()).toEqual([a.id, b.id].sort());
    expect(r).toMatchObject({ totp: false, revokedAt: t.clock.now });
    const canceled = events.filter((e) => e.type === 'verification.canceled');
    expect(canceled).toHaveLength(2);
    for (const e of canceled) expect(e).toMatchObject({ to: maskedTo, at: t.clock.now });
    expect((await t.verifier.status({ id: other.id }))._unsafeUnwrap().status).toBe('pending');
    // Nothing left to cancel: no events, an empty list.
    events.length = 0;
    expect((await t.verifier.invalidate({ phone: PHONE }))._unsafeUnwrap().canceled).toEqual([]);
    expect(events.filter((e) => e.type === 'verification.canceled')).toEqual([]);
  });

  it("a subject alone cancels no number's verifications and publishes no cancellation", async () => {
    const events: VerifierEvent[] = [];
    const t = proofSetup({ onEvent: (e) => void events.push(e) });
    const s = (await t.verifier.start({ phone: PHONE, purpose: 'login' }))._unsafeUnwrap();
    const r = (await t.verifier.invalidate({ subject: 'user-1' }))._unsafeUnwrap();
    expect(r).toEqual({ canceled: [], totp: false, revokedAt: t.clock.now });
    expect(events.filter((e) => e.type === 'verification.canceled')).toEqual([]);
    expect((await t.verifier.status({ id: s.id }))._unsafeUnwrap().status).toBe('pending');
    const code = t.outbox.last()!.code;
    expect((await t.verifier.check({ id: s.id, code }))._unsafeUnwrap().status).toBe('approved');
  });

  it("a number alone leaves the authenticator's current code working", async () => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    const { app } = await enrolled(t);
    t.advance(30_000);
    const r = (await t.verifier.invalidate({ phone: PHONE }))._unsafeUnwrap();
    expect(r).toEqual({ canceled: [], totp: false, revokedAt: t.clock.now });
    expect(
      (await t.verifier.totp.verify({ subject: SUBJECT, token: app.code() }))._unsafeUnwrap()
        .status,
    ).toBe('approved');
  });

  it('both at once: the number and the subject', async () => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    const { app } = await enrolled(t);
    t.advance(30_000);
    const s = (await t.verifier.start({ phone: PHONE, purpose: 'login' }))._unsafeUnwrap();
    const r = (await t.verifier.invalidate({ phone: PHONE, subject: SUBJECT }))._unsafeUnwrap();
    expect(r).toEqual({ canceled: [s.id], totp: true, revokedAt: t.clock.now });
    expect(
      (await t.verifier.totp.verify({ subject: SUBJECT, token: app.code() }))._unsafeUnwrapErr()
        .code,
    ).toBe('invalid_token');
  });
});

describe('with proofs turned off', () => {
  it('cancels and revokes the authenticator the same way, at the time of the call', async () => {
    const t = totpSetup({ totp: totp({ qr: false }), proof: false });
    await enrolled(t);
    const s = (await t.verifier.start({ phone: PHONE, purpose: 'login' }))._unsafeUnwrap();
    t.advance(250);
    const r = (await t.verifier.invalidate({ phone: PHONE, subject: SUBJECT }))._unsafeUnwrap();
    expect(r).toEqual({ canceled: [s.id], totp: true, revokedAt: t.clock.now });
    expect((await t.verifier.status({ id: s.id }))._unsafeUnwrap().status).toBe('canceled');
    expect(t.store.entries().filter(([k]) => k.startsWith('stamp:'))).toEqual([]);
  });
});

describe('store failures', () => {
  it('fails closed when the store is unreachable', async () => {
    const t = proofSetup();
    await t.verifier.start({ phone: PHONE, purpose: 'login' });
    let down = false;
    const flaky = {
      update: <T>(k: string, f: (c: string | undefined) => { result: T }) =>
        down ? Promise.reject(new Error('down')) : t.store.update(k, f as never),
      get: (k: string) => (down ? Promise.reject(new Error('down')) : t.store.get(k)),
    };
    const v = createVerifier({ ...t.options, store: flaky as never });
    down = true;
    for (const input of [{ phone: PHONE }, { subject: 'user-1' }]) {
      expect((await v.invalidate(input))._unsafeUnwrapErr().code, JSON.stringify(input)).toBe(
        'store_unavailable',
      );
    }
    down = false;
    expect((await v.invalidate({ phone: PHONE }))._unsafeUnwrap().canceled).toHaveLength(1);
  });

  it("a subject's invalidation reads no phone record, a number's no authenticator record", async () => {
    const t = proofSetup();
    const s = (await t.verifier.start({ phone: PHONE, purpose: 'login' }))._unsafeUnwrap();
    /** The verifier over a store whose records under `prefix` cannot be reached. */
    const without = (prefix: string) => {
      const fails = (k: string) => k.startsWith(prefix);
      const store = {
        update: <T>(k: string, f: (c: string | undefined) => { result: T }) =>
          fails(k) ? Promise.reject(new Error('down')) : t.store.update(k, f as never),
        get: (k: string) => (fails(k) ? Promise.reject(new Error('down')) : t.store.get(k)),
      };
      return createVerifier({ ...t.options, totp: totp({ qr: false }), store: store as never });
    };
    const noPhones = without('phone:');
    expect((await noPhones.invalidate({ subject: 'user-1' }))._unsafeUnwrap().canceled).toEqual([]);
    expect((await noPhones.invalidate({ phone: PHONE }))._unsafeUnwrapErr().code).toBe(
      'store_unavailable',
    );
    const noAuthenticators = without('totp:');
    expect((await noAuthenticators.invalidate({ subject: 'user-1' }))._unsafeUnwrapErr().code).toBe(
      'store_unavailable',
    );
    expect((await noAuthenticators.invalidate({ phone: PHONE }))._unsafeUnwrap().canceled).toEqual([
      s.id,
    ]);
  });
});
