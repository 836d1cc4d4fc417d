/** Test numbers: no message, a fixed code, limits still apply; guarded in production. */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { SECRET, setup } from '../support/setup';
import { outcome } from './support';

const TEST = '+15005550006';

describe('test numbers', () => {
  const env = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = env;
  });

  it('send nothing and accept the fixed code', async () => {
    const t = setup({ testNumbers: { [TEST]: '123456' } });
    const s = (await t.verifier.start({ phone: TEST }))._unsafeUnwrap();
    expect(s.messageId).toMatch(/^test-number:/);
    expect(t.outbox.messages).toHaveLength(0);
    expect(outcome(await t.verifier.check({ id: s.id, code: '654321' }))).toBe('code_mismatch');
    const ok = (await t.verifier.check({ id: s.id, code: '123 456' }))._unsafeUnwrap();
    expect(ok).toMatchObject({ status: 'approved', phone: TEST });
    // Ordinary numbers are unaffected.
    expect(outcome(await t.verifier.start({ phone: '+12133734253' }))).toBe('ok');
    expect(t.outbox.messages).toHaveLength(1);
    expect(t.outbox.messages[0]!.code).not.toBe('123456');
  });

  it('keys are normalized and resends keep the fixed code', async () => {
    const t = setup({
      testNumbers: { '+1 (500) 555-0006': '123456' },
      policy: { resendCooldownMs: 0 },
    });
    const s = (await t.verifier.start({ phone: '+1 500 555 0006' }))._unsafeUnwrap();
    (await t.verifier.resend({ id: s.id }))._unsafeUnwrap();
    expect(t.outbox.messages).toHaveLength(0);
    expect(outcome(await t.verifier.check({ id: s.id, code: '123456' }))).toBe('ok');
  });

  it('every limit still applies', async () => {
    const t = setup({ testNumbers: { [TEST]: '123456' } });
    const rs = [];
    for (let i = 0; i < 6; i += 1) rs.push(outcome(await t.verifier.start({ phone: TEST })));
    expect(rs).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'send_limit_reached/phone']);
    const s = await createVerifier({
      secret: SECRET,
      store: memoryStore(),
      sender: outboxSender(),
      testNumbers: { [TEST]: '123456' },
      abuse: { requesters: { ip: { sends: [{ windowMs: 3_600_000, max: 1 }] } } },
    });
    expect(outcome(await s.start({ phone: TEST, context: { ip: '192.0.2.1' } }))).toBe('ok');
    const again = await s.start({ phone: TEST, context: { ip: '192.0.2.1' } });
    expect(outcome(again)).toBe('rate_limited/requester');
  });

  it('after their expiry date they are ordinary numbers', async () => {
    const t = setup({
      testNumbers: { [TEST]: { code: '123456', expiresAt: new Date(1_700_000_060_000) } },
    });
    const before = (await t.verifier.start({ phone: TEST }))._unsafeUnwrap();
    expect(t.outbox.messages).toHaveLength(0);
    expect(outcome(await t.verifier.check({ id: before.id, code: '123456' }))).toBe('ok');
    t.advance(120_000);
    const after = (await t.verifier.start({ phone: TEST }))._unsafeUnwrap();
    expect(t.outbox.messages).toHaveLength(1);
    expect(t.outbox.messages[0]!.verificationId).toBe(after.id);
    const fixed = await t.verifier.check({ id: after.id, code: '123456' });
    if (t.outbox.messages[0]!.code !== '123456') expect(outcome(fixed)).toBe('code_mismatch');
  });

  it('are refused at construction in production unless explicitly allowed', () => {
    process.env.NODE_ENV = 'production';
    expect(() => setup({ testNumbers: { [TEST]: '123456' } })).toThrow(/NODE_ENV=production/);
    expect(() =>
      setup({ testNumbers: { [TEST]: '123456' }, allowTestNumbersInProduction: true }),
    ).not.toThrow();
    expect(() => setup({ testNumbers: {} })).not.toThrow();
    expect(() => setup()).not.toThrow();
  });

  it('misconfiguration throws at construction', () => {
    expect(() => setup({ testNumbers: { 'not a number': '123456' } })).toThrow(/E\.164/);
    expect(() => setup({ testNumbers: { [TEST]: '12345' } })).toThrow(/6 characters/);
    expect(() => setup({ testNumbers: { [TEST]: 'abcdef' } })).toThrow(/code alphabet/);
    expect(() => setup({ testNumbers: { [TEST]: { code: '123456', expiresAt: 'soon' } } })).toThrow(
      /date/,
    );
  });
});
