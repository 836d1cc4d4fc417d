/**
 * Abuse records at rest hold no phone number, prefix digits, address or requester id, and
 * every refusal names its scope (core phone limits included).
 */
import { describe, expect, it } from 'vitest';
import { PHONE, setup, wrong } from '../support/setup';
import { blockNumbers, outcome } from './support';

describe('abuse records at rest', () => {
  it('keys and values hold keyed hashes only', async () => {
    const t = setup({
      policy: { resendCooldownMs: 0 },
      abuse: {
        countries: { hourlyCaps: { '*': 100 } },
        global: { messagesPerDay: 100, costPerDay: 10, prices: { US: 0.01 } },
        conversion: { scopes: ['prefix', 'country'] },
      },
    });
    const numbers = blockNumbers(12);
    const context = { ip: '203.0.113.77', deviceId: 'device-zq9', userId: 'user-zq9' };
    for (const [i, phone] of numbers.entries()) {
      const s = await t.verifier.start({ phone, context, idempotencyKey: `idem-zq9-${i}` });
      if (s.isOk() && i % 2 === 0) {
        await t.verifier.resend({ id: s.value.id, context });
        await t.verifier.check({ id: s.value.id, code: t.code(), context });
      }
    }
    await t.verifier.start({ phone: PHONE, context: { ip: '2001:db8:abcd:12::99' } });
    const secrets = [
      ...numbers.map((n) => n.slice(2)),
      '2133734253',
      '203.0.113.77',
      'device-zq9',
      'user-zq9',
      'idem-zq9',
      '2001:db8',
      'abcd:12',
      '+1 213373',
    ];
    const records = t.store.entries();
    expect(records.some(([k]) => k.startsWith('req:ip:'))).toBe(true);
    expect(records.some(([k]) => k.startsWith('pfx:'))).toBe(true);
    expect(records.some(([k]) => k.startsWith('idem:'))).toBe(true);
    for (const [k, v] of records) {
      for (const s of secrets) {
        expect(k, k).not.toContain(s);
        expect(v, k).not.toContain(s);
      }
    }
  });
});

describe('every limit refusal names its scope', () => {
  it('core refusals are phone-scoped', async () => {
    const t = setup({ policy: { maxChecks: 1 } });
    const { id } = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    expect(outcome(await t.verifier.resend({ id }))).toBe('resend_too_soon/phone');
    expect(outcome(await t.verifier.check({ id, code: wrong(t.code()) }))).toBe('code_mismatch');
    expect(outcome(await t.verifier.check({ id, code: t.code() }))).toBe(
      'max_attempts_reached/phone',
    );
    for (let i = 0; i < 2; i += 1) {
      const s = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
      await t.verifier.check({ id: s.id, code: wrong(t.code()) });
    }
    expect(outcome(await t.verifier.start({ phone: PHONE }))).toBe('locked/phone');
    const w = setup();
    for (let i = 0; i < 5; i += 1) await w.verifier.start({ phone: PHONE });
    expect(outcome(await w.verifier.start({ phone: PHONE }))).toBe('send_limit_reached/phone');
  });
});
