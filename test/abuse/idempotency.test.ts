/** Idempotent start: a repeated key returns the same verification and sends nothing again. */
import { describe, expect, it } from 'vitest';
import { outboxSender } from '../../src/senders/outbox';
import { setup } from '../support/setup';
import { outcome, tally } from './support';

const PHONE = '+12133734253';

describe('idempotencyKey', () => {
  it('a repeat within the verification life returns the same verification and sends nothing', async () => {
    const t = setup();
    const first = (
      await t.verifier.start({ phone: PHONE, idempotencyKey: 'order-1' })
    )._unsafeUnwrap();
    t.advance(60_000);
    const again = (
      await t.verifier.start({ phone: '+1 213 373 4253', idempotencyKey: 'order-1' })
    )._unsafeUnwrap();
    expect(again).toEqual(first);
    expect(t.outbox.messages).toHaveLength(1);
    expect((await t.verifier.status({ id: first.id }))._unsafeUnwrap().sendsLeft).toBe(4);
    // Other keys, or none, start new verifications.
    const other = (
      await t.verifier.start({ phone: PHONE, idempotencyKey: 'order-2' })
    )._unsafeUnwrap();
    expect(other.id).not.toBe(first.id);
    expect(t.outbox.messages).toHaveLength(2);
  });

  it('the same key with other parameters is refused', async () => {
    const t = setup();
    await t.verifier.start({ phone: PHONE, idempotencyKey: 'k' });
    for (const input of [
      { phone: '+12133734254' },
      { phone: PHONE, channel: 'voice' as const },
      { phone: PHONE, purpose: 'login' },
      { phone: PHONE, locale: 'fr' },
    ]) {
      const r = await t.verifier.start({ ...input, idempotencyKey: 'k' });
      expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'idempotency_conflict' });
    }
    expect(t.outbox.messages).toHaveLength(1);
  });

  it('after the verification expires the key starts a new one', async () => {
    const t = setup();
    const a = (await t.verifier.start({ phone: PHONE, idempotencyKey: 'k' }))._unsafeUnwrap();
    t.advance(10 * 60_000 + 1);
    const b = (await t.verifier.start({ phone: PHONE, idempotencyKey: 'k' }))._unsafeUnwrap();
    expect(b.id).not.toBe(a.id);
  });

  it('a failed start frees the key for a retry', async () => {
    let failing = true;
    const outbox = outboxSender({
      fail: () =>
        failing ? { kind: 'retryable', reason: 'timeout', message: 'timeout' } : undefined,
    });
    const t = setup({ sender: outbox });
    expect(outcome(await t.verifier.start({ phone: PHONE, idempotencyKey: 'k' }))).toBe(
      'delivery_failed',
    );
    failing = false;
    t.advance(60_000);
    expect(outcome(await t.verifier.start({ phone: PHONE, idempotencyKey: 'k' }))).toBe('ok');
    expect(outbox.messages).toHaveLength(1);
  });

  it('concurrent repeats send exactly once', async () => {
    const t = setup();
    const rs = await Promise.all(
      Array.from({ length: 50 }, () => t.verifier.start({ phone: PHONE, idempotencyKey: 'burst' })),
    );
    expect(t.outbox.messages).toHaveLength(1);
    const ids = new Set(rs.flatMap((r) => (r.isOk() ? [r.value.id] : [])));
    expect(ids.size).toBe(1);
    const counts = tally(rs);
    expect((counts.ok ?? 0) + (counts.idempotency_conflict ?? 0)).toBe(50);
    for (const r of rs) if (r.isErr()) expect(r.error.retryAfter).toBe(1);
  });

  it('keys are scoped to the requester: the userId when given, else the address and device', async () => {
    const t = setup({ policy: { resendCooldownMs: 0 } });
    const start = (context: Record<string, string>, phone = PHONE) =>
      t.verifier.start({ phone, idempotencyKey: 'shared', context });
    const a = (await start({ ip: '192.0.2.1' }))._unsafeUnwrap();
    // Another address: as if the key were unknown (a fresh start, never a 409).
    const b = (await start({ ip: '192.0.2.2' }, '+12133734254'))._unsafeUnwrap();
    expect(b.id).not.toBe(a.id);
    // Same address, another device id: another requester too.
    const c = (await start({ ip: '192.0.2.1', deviceId: 'd-1' }))._unsafeUnwrap();
    expect(c.id).not.toBe(a.id);
    // The same address again (same /64 for IPv6): the first's replay.
    expect((await start({ ip: '192.0.2.1' }))._unsafeUnwrap().id).toBe(a.id);
    // A user keeps its key across addresses (a retry from another network).
    const u = (await start({ userId: 'u-1', ip: '198.51.100.1' }))._unsafeUnwrap();
    expect((await start({ userId: 'u-1', ip: '203.0.113.1' }))._unsafeUnwrap().id).toBe(u.id);
    expect(t.outbox.messages).toHaveLength(4);
  });

  it('the consent given is part of the request: another consent is a conflict', async () => {
    const t = setup();
    const consent = { text: 'Texts OK', version: 1 };
    await t.verifier.start({ phone: PHONE, idempotencyKey: 'c' });
    const r = await t.verifier.start({ phone: PHONE, idempotencyKey: 'c', consent });
    expect(outcome(r)).toBe('idempotency_conflict');
    expect(t.outbox.messages).toHaveLength(1);
  });

  it('refuses a malformed key', async () => {
    const t = setup();
    for (const key of ['', 'a'.repeat(256), 'with space', 42]) {
      const r = await t.verifier.start({ phone: PHONE, idempotencyKey: key as string });
      expect(outcome(r)).toBe('invalid_request');
    }
    expect(t.outbox.messages).toHaveLength(0);
  });

  it('works with the abuse defenses off, and a replay spends no budget', async () => {
    const off = setup({ abuse: false });
    const a = (await off.verifier.start({ phone: PHONE, idempotencyKey: 'x' }))._unsafeUnwrap();
    expect(
      (await off.verifier.start({ phone: PHONE, idempotencyKey: 'x' }))._unsafeUnwrap(),
    ).toEqual(a);
    const t = setup({
      abuse: { requesters: { ip: { sends: [{ windowMs: 3_600_000, max: 1 }] } } },
    });
    const ctx = { context: { ip: '192.0.2.1' } };
    for (let i = 0; i < 3; i += 1) {
      expect(outcome(await t.verifier.start({ phone: PHONE, idempotencyKey: 'y', ...ctx }))).toBe(
        'ok',
      );
    }
    expect(t.outbox.messages).toHaveLength(1);
  });
});
