import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { createVerifier } from '../../src/index';
import { keyring, phoneKey } from '../../src/secrets';
import { outboxSender } from '../../src/senders/outbox';
import { newVerificationId } from '../../src/verifier/ids';
import { PHONE, SECRET, setup, wrong } from '../support/setup';

describe('start and check', () => {
  it('verifies a phone end to end, returning masked numbers and E.164 on approval', async () => {
    const t = setup();
    const s = (
      await t.verifier.start({ phone: '+1 (213) 373-4253', context: { ip: '203.0.113.9' } })
    )._unsafeUnwrap();
    expect(s).toMatchObject({
      to: '+1 ••• ••• ••53',
      channel: 'sms',
      purpose: 'verify',
      sendsLeft: 4,
    });
    expect(s.expiresAt).toBe(t.clock.now + 600_000);
    expect(s.resendAvailableAt).toBe(t.clock.now + 30_000);
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{70}$/);
    expect(t.outbox.last()).toMatchObject({ to: PHONE, channel: 'sms' });
    expect(t.outbox.last()!.text).toContain(t.code());
    const c = (await t.verifier.check({ id: s.id, code: t.code() }))._unsafeUnwrap();
    expect(c).toMatchObject({
      status: 'approved',
      phone: PHONE,
      purpose: 'verify',
      verifiedAt: t.clock.now,
    });
  });

  it('rejects a start without a default country for a national number', async () => {
    const t = setup();
    expect((await t.verifier.start({ phone: '2133734253' }))._unsafeUnwrapErr().code).toBe(
      'invalid_phone',
    );
    const us = setup({ defaultCountry: 'US' });
    expect((await us.verifier.start({ phone: '2133734253' })).isOk()).toBe(true);
  });

  it('counts wrong codes and reports attempts left, then fails the verification', async () => {
    const t = setup();
    const { id } = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    const bad = wrong(t.code());
    for (let left = 4; left >= 0; left -= 1) {
      expect((await t.verifier.check({ id, code: bad }))._unsafeUnwrapErr()).toMatchObject({
        code: 'code_mismatch',
        attemptsLeft: left,
      });
    }
    expect((await t.verifier.check({ id, code: t.code() }))._unsafeUnwrapErr().code).toBe(
      'max_attempts_reached',
    );
    expect((await t.verifier.status({ id }))._unsafeUnwrap()).toMatchObject({
      status: 'failed',
      attemptsLeft: 0,
      failedVerifications: 1,
    });
  });

  it('a code is single use', async () => {
    const t = setup();
    const { id } = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    const code = t.code();
    expect((await t.verifier.check({ id, code })).isOk()).toBe(true);
    expect((await t.verifier.check({ id, code }))._unsafeUnwrapErr().code).toBe('not_found');
    expect((await t.verifier.check({ phone: PHONE, code }))._unsafeUnwrapErr().code).toBe(
      'not_found',
    );
  });

  it('expires codes after 10 minutes', async () => {
    const t = setup();
    const { id } = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    t.advance(600_000);
    expect((await t.verifier.check({ id, code: t.code() }))._unsafeUnwrapErr().code).toBe(
      'expired',
    );
    expect((await t.verifier.status({ id }))._unsafeUnwrap().status).toBe('expired');
  });

  it('checks by phone, and a code for one purpose never satisfies another', async () => {
    const t = setup();
    await t.verifier.start({ phone: PHONE, purpose: 'login' });
    const loginCode = t.code();
    expect(
      (await t.verifier.check({ phone: PHONE, code: loginCode }))._unsafeUnwrapErr().code,
    ).toBe('not_found');
    expect(
      (
        await t.verifier.check({ phone: PHONE, code: loginCode, purpose: 'payment' })
      )._unsafeUnwrapErr().code,
    ).toBe('not_found');
    const ok = (
      await t.verifier.check({ phone: '+1 213-373-4253', code: loginCode, purpose: 'login' })
    )._unsafeUnwrap();
    expect(ok).toMatchObject({ purpose: 'login', phone: PHONE });
  });

  it('binds the code digest to the verification: a code from another verification fails', async () => {
    const t = setup();
    const a = (await t.verifier.start({ phone: PHONE, purpose: 'a' }))._unsafeUnwrap();
    const codeA = t.code();
    const b = (await t.verifier.start({ phone: '+33612345678', purpose: 'a' }))._unsafeUnwrap();
    const codeB = t.code();
    if (codeA !== codeB) {
      expect((await t.verifier.check({ id: b.id, code: codeA }))._unsafeUnwrapErr().code).toBe(
        'code_mismatch',
      );
    }
    expect((await t.verifier.check({ id: a.id, code: codeA })).isOk()).toBe(true);
  });

  it('a new start for the same purpose supersedes the pending one', async () => {
    const t = setup();
    const first = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    const firstCode = t.code();
    const second = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    expect((await t.verifier.status({ id: first.id }))._unsafeUnwrap().status).toBe('canceled');
    expect(
      (await t.verifier.check({ id: first.id, code: firstCode }))._unsafeUnwrapErr().code,
    ).toBe('not_found');
    expect((await t.verifier.check({ id: second.id, code: t.code() })).isOk()).toBe(true);
  });

  it('accepts alphanumeric codes typed in lower case', async () => {
    const t = setup({ policy: { alphabet: 'alphanumeric', codeLength: 8 } });
    const { id } = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    expect(t.code()).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect((await t.verifier.check({ id, code: t.code().toLowerCase() })).isOk()).toBe(true);
  });
});

describe('resend', () => {
  it('sends a fresh code, earlier codes stop working, and the cooldown grows', async () => {
    const t = setup();
    const s = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    const first = t.code();
    expect((await t.verifier.resend({ id: s.id }))._unsafeUnwrapErr()).toMatchObject({
      code: 'resend_too_soon',
      retryAfter: 30,
    });
    t.advance(30_000);
    const r1 = (await t.verifier.resend({ id: s.id, channel: 'voice' }))._unsafeUnwrap();
    expect(r1).toMatchObject({
      channel: 'voice',
      sendsLeft: 3,
      resendAvailableAt: t.clock.now + 60_000,
    });
    expect(t.outbox.last()!.channel).toBe('voice');
    const second = t.code();
    if (first !== second) {
      expect((await t.verifier.check({ id: s.id, code: first }))._unsafeUnwrapErr().code).toBe(
        'code_mismatch',
      );
    }
    t.advance(60_000);
    expect((await t.verifier.resend({ id: s.id }))._unsafeUnwrap().resendAvailableAt).toBe(
      t.clock.now + 120_000,
    );
    expect((await t.verifier.check({ id: s.id, code: t.code() })).isOk()).toBe(true);
  });

  it('allows at most 5 sends per verification', async () => {
    const t = setup({
      // A day window above maxSends, so maxSends refuses (within the policy floor).
      policy: { resendCooldownMs: 0, sendWindows: [{ windowMs: 86_400_000, max: 6 }] },
    });
    const { id } = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    for (let i = 0; i < 4; i += 1) expect((await t.verifier.resend({ id })).isOk()).toBe(true);
    expect((await t.verifier.resend({ id }))._unsafeUnwrapErr().code).toBe('send_limit_reached');
    expect(t.outbox.messages).toHaveLength(5);
  });
});

describe('per-phone windows and lockout', () => {
  it('allows 5 sends per hour, then refuses with retryAfter until the window frees up', async () => {
    const t = setup();
    for (let i = 0; i < 5; i += 1) {
      expect((await t.verifier.start({ phone: PHONE })).isOk()).toBe(true);
      t.advance(60_000);
    }
    const refused = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrapErr();
    expect(refused).toMatchObject({ code: 'send_limit_reached', retryAfter: 3600 - 300 });
    t.advance(refused.retryAfter! * 1000);
    expect((await t.verifier.start({ phone: PHONE })).isOk()).toBe(true);
  });

  it('locks after 3 failed verifications for 15 minutes, doubling, and success resets it', async () => {
    // Room for the 8 sends of this test within the hour (and within the policy floor).
    const t = setup({
      policy: {
        sendWindows: [
          { windowMs: 3_600_000, max: 10 },
          { windowMs: 86_400_000, max: 20 },
        ],
      },
    });
    const failOnce = async () => {
      const { id } = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
      const bad = wrong(t.code());
      for (let i = 0; i < 5; i += 1) await t.verifier.check({ id, code: bad });
      return id;
    };
    await failOnce();
    await failOnce();
    const third = await failOnce();
    const locked = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrapErr();
    expect(locked).toMatchObject({ code: 'locked', retryAfter: 900 });
    expect((await t.verifier.status({ id: third }))._unsafeUnwrap().lockedUntil).toBe(
      t.clock.now + 900_000,
    );
    expect(t.events.filter((e) => e.type === 'phone.locked')).toHaveLength(1);
    t.advance(900_000);
    for (let i = 0; i < 3; i += 1) await failOnce();
    expect((await t.verifier.start({ phone: PHONE }))._unsafeUnwrapErr()).toMatchObject({
      code: 'locked',
      retryAfter: 1800,
    });
    t.advance(1_800_000);
    const { id } = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    expect((await t.verifier.check({ id, code: t.code() })).isOk()).toBe(true);
    expect((await t.verifier.status({ id }))._unsafeUnwrap()).toMatchObject({
      failedVerifications: 0,
      lockedUntil: null,
    });
  });

  it('a verification abandoned after a wrong guess counts as failed when it expires', async () => {
    const t = setup();
    for (let i = 0; i < 3; i += 1) {
      const { id } = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
      await t.verifier.check({ id, code: wrong(t.code()) });
      t.advance(11 * 60_000);
    }
    expect((await t.verifier.start({ phone: PHONE }))._unsafeUnwrapErr().code).toBe('locked');
  });

  it('lockout can be turned off', async () => {
    const t = setup({ policy: { lockout: false } });
    for (let i = 0; i < 4; i += 1) {
      const { id } = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
      for (let j = 0; j < 5; j += 1) await t.verifier.check({ id, code: wrong(t.code()) });
    }
    expect((await t.verifier.start({ phone: PHONE })).isOk()).toBe(true);
  });
});

describe('cancel, status, countries, events', () => {
  it('cancels, and is idempotent', async () => {
    const t = setup();
    const { id } = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    expect((await t.verifier.cancel({ id }))._unsafeUnwrap()).toEqual({ id, status: 'canceled' });
    expect((await t.verifier.cancel({ id }))._unsafeUnwrap().status).toBe('canceled');
    expect((await t.verifier.check({ id, code: t.code() }))._unsafeUnwrapErr().code).toBe(
      'not_found',
    );
  });

  it('unknown and malformed ids are values, not throws', async () => {
    const t = setup();
    expect((await t.verifier.status({ id: 'x'.repeat(70) }))._unsafeUnwrapErr().code).toBe(
      'not_found',
    );
    expect((await t.verifier.status({ id: 'short' }))._unsafeUnwrapErr().code).toBe('not_found');
    expect((await t.verifier.status({ id: 42 as unknown as string }))._unsafeUnwrapErr().code).toBe(
      'invalid_request',
    );
    expect((await t.verifier.check(null as never))._unsafeUnwrapErr().code).toBe('invalid_request');
    expect(
      (await t.verifier.start({ phone: PHONE, channel: 'fax' as never }))._unsafeUnwrapErr().code,
    ).toBe('invalid_request');
    expect((await t.verifier.start({ phone: PHONE, purpose: 'a b' }))._unsafeUnwrapErr().code).toBe(
      'invalid_request',
    );
    expect(
      (await t.verifier.check({ id: 'x'.repeat(70), code: '12' }))._unsafeUnwrapErr().code,
    ).toBe('invalid_request');
  });

  it('refuses countries outside the allowed list', async () => {
    const t = setup({ allowedCountries: ['FR'] });
    expect((await t.verifier.start({ phone: PHONE }))._unsafeUnwrapErr().code).toBe(
      'country_not_allowed',
    );
    expect((await t.verifier.start({ phone: '+33612345678' })).isOk()).toBe(true);
    expect(t.outbox.messages).toHaveLength(1);
  });

  it('publishes events with masked numbers, and silent calls publish none', async () => {
    const t = setup();
    const { id } = (
      await t.verifier.start({ phone: PHONE, context: { deviceId: 'd1' } })
    )._unsafeUnwrap();
    await t.verifier.check({ id, code: wrong(t.code()) });
    await t.verifier.check({ id, code: t.code() });
    expect(t.events.map((e) => e.type)).toEqual([
      'verification.started',
      'verification.sent',
      'verification.check_failed',
      'verification.approved',
    ]);
    expect(JSON.stringify(t.events)).not.toContain('2133734253');
    expect(t.events[0]).toMatchObject({ to: '+1 ••• ••• ••53', context: { deviceId: 'd1' } });
    const before = t.events.length;
    const s = (await t.verifier.start({ phone: PHONE, silent: true }))._unsafeUnwrap();
    await t.verifier.check({ id: s.id, code: t.code(), silent: true });
    expect(t.events).toHaveLength(before);
  });

  it('a throwing event listener never fails an operation', async () => {
    const t = setup({
      onEvent: () => {
        throw new Error('listener broke');
      },
    });
    expect((await t.verifier.start({ phone: PHONE })).isOk()).toBe(true);
    const rejecting = setup({ onEvent: () => Promise.reject(new Error('async listener broke')) });
    expect((await rejecting.verifier.start({ phone: PHONE })).isOk()).toBe(true);
  });
});

describe('failures of the ports become values', () => {
  it('a store that throws gives store_unavailable and nothing is sent or approved', async () => {
    const outbox = outboxSender();
    const broken = {
      update: () => Promise.reject(new Error('ECONNREFUSED')),
      updateMany: () => Promise.reject(new Error('ECONNREFUSED')),
      get: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const v = createVerifier({ secret: SECRET, store: broken, sender: outbox });
    expect((await v.start({ phone: PHONE }))._unsafeUnwrapErr().code).toBe('store_unavailable');
    expect((await v.check({ phone: PHONE, code: '123456' }))._unsafeUnwrapErr().code).toBe(
      'store_unavailable',
    );
    // A well-formed id (opaque ids are opened before the store is asked).
    const ring = keyring(SECRET);
    const id = newVerificationId(ring, phoneKey(ring, PHONE), new Uint8Array(12));
    expect((await v.status({ id }))._unsafeUnwrapErr().code).toBe('store_unavailable');
    expect(outbox.messages).toHaveLength(0);
    const syncThrow = {
      update: () => {
        throw new Error('sync');
      },
      get: () => {
        throw new Error('sync');
      },
    };
    const v2 = createVerifier({ secret: SECRET, store: syncThrow as never, sender: outbox });
    expect((await v2.start({ phone: PHONE }))._unsafeUnwrapErr().code).toBe('store_unavailable');
  });

  it('a corrupted or foreign record gives store_corrupt, not a crash', async () => {
    const t = setup();
    const { id } = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    const [key] = t.store.entries().find(([k]) => k.startsWith('phone:'))!;
    for (const garbage of ['not json', '{"v":2}', '[]', '{"v":1,"sends":"x"}', 'null']) {
      await t.store.update(key, () => ({ result: 0, write: { value: garbage, ttlMs: 60_000 } }));
      expect((await t.verifier.check({ id, code: t.code() }))._unsafeUnwrapErr().code).toBe(
        'store_corrupt',
      );
      expect((await t.verifier.status({ id }))._unsafeUnwrapErr().code).toBe('store_corrupt');
    }
  });

  it('a sender that fails or throws gives delivery_failed', async () => {
    const failing = outboxSender({
      fail: () => ({ kind: 'permanent', reason: 'invalid_number', message: 'not a mobile' }),
    });
    const v = createVerifier({ secret: SECRET, store: memoryStore(), sender: failing });
    expect((await v.start({ phone: PHONE }))._unsafeUnwrapErr()).toMatchObject({
      code: 'delivery_failed',
      message: 'not a mobile',
    });
    const throwing = createVerifier({
      secret: SECRET,
      store: memoryStore(),
      sender: {
        send: () => {
          throw new Error('boom');
        },
      },
    });
    expect((await throwing.start({ phone: PHONE }))._unsafeUnwrapErr().code).toBe(
      'delivery_failed',
    );
  });
});

describe('misconfiguration throws once, at construction', () => {
  const base = { secret: SECRET, store: memoryStore(), sender: outboxSender() };
  it.each([
    ['a short secret', { secret: 'short' }, /at least 32/],
    ['an empty secret list', { secret: [] }, /empty/],
    ['a missing store', { store: undefined }, /store/],
    ['a missing sender', { sender: {} }, /sender/],
    ['a bad code length', { policy: { codeLength: 3 } }, /codeLength/],
    ['a bad alphabet', { policy: { alphabet: 'aab' } }, /alphabet/],
    ['a bad window', { policy: { sendWindows: [{ windowMs: -1, max: 5 }] } }, /windowMs/],
    ['a bad default country', { defaultCountry: 'ZZ' }, /defaultCountry/],
  ])('%s', (_name, patch, message) => {
    expect(() => createVerifier({ ...base, ...patch } as never)).toThrow(message);
  });
});

describe('secret rotation', () => {
  it('codes issued under an old secret still check after a new one is prepended', async () => {
    let now = 1_700_000_000_000;
    const store = memoryStore({ now: () => now });
    const outbox = outboxSender();
    const old = 'old-secret-old-secret-old-secret-0001';
    const fresh = 'new-secret-new-secret-new-secret-0002';
    const v1 = createVerifier({ secret: old, store, sender: outbox, now: () => now });
    const { id } = (await v1.start({ phone: PHONE }))._unsafeUnwrap();
    const v2 = createVerifier({ secret: [fresh, old], store, sender: outbox, now: () => now });
    now += 1000;
    expect((await v2.check({ id, code: outbox.last()!.code }))._unsafeUnwrap().phone).toBe(PHONE);
    const v3 = createVerifier({
      secret: [fresh],
      lookupSecret: old,
      store,
      sender: outbox,
      now: () => now,
    });
    const s = (await v2.start({ phone: PHONE }))._unsafeUnwrap();
    expect((await v3.check({ id: s.id, code: outbox.last()!.code })).isOk()).toBe(true);
  });
});
