/** Destination controls: prefix velocity, country lists and caps, and the global budget. */
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index';
import { setup } from '../support/setup';
import { blockNumbers, coarseNumbers, DAY, HOUR, outcome, spreadNumbers, tally } from './support';

describe('prefix velocity (defaults)', () => {
  it('at most 10 unverified numbers of one ten-thousand block per hour', async () => {
    const t = setup();
    const numbers = blockNumbers(14);
    const rs = [];
    for (const phone of numbers) rs.push(await t.verifier.start({ phone }));
    expect(tally(rs)).toEqual({ ok: 10, 'rate_limited/prefix': 4 });
    expect(rs[10]!._unsafeUnwrapErr().retryAfter).toBe(3_600);
    // A verified number stops counting: one more fits.
    const first = t.outbox.messages[0]!;
    expect(outcome(await t.verifier.check({ id: first.verificationId, code: first.code }))).toBe(
      'ok',
    );
    expect(outcome(await t.verifier.start({ phone: numbers[10]! }))).toBe('ok');
    expect(outcome(await t.verifier.start({ phone: numbers[11]! }))).toBe('rate_limited/prefix');
    // An hour later the block has room again.
    t.advance(HOUR);
    expect(outcome(await t.verifier.start({ phone: numbers[11]! }))).toBe('ok');
  });

  it('at most 20 unverified numbers of one million block per hour', async () => {
    const t = setup();
    const rs = [];
    for (const phone of coarseNumbers(25)) rs.push(await t.verifier.start({ phone }));
    expect(tally(rs)).toEqual({ ok: 20, 'rate_limited/prefix': 5 });
  });

  it('users who verify keep a busy prefix open', async () => {
    const t = setup();
    const rs = [];
    for (const phone of blockNumbers(60)) {
      const r = await t.verifier.start({ phone });
      rs.push(r);
      if (r.isOk()) rs.push(await t.verifier.check({ id: r.value.id, code: t.code() }));
      t.advance(30_000);
    }
    expect(tally(rs)).toEqual({ ok: 120 });
  });

  it('is configurable and can be turned off', async () => {
    const t = setup({ abuse: { prefixes: [{ trailingDigits: 2, windowMs: HOUR, max: 2 }] } });
    const rs = [];
    for (let i = 0; i < 5; i += 1) rs.push(await t.verifier.start({ phone: `+1213373421${i}` }));
    expect(tally(rs)).toEqual({ ok: 2, 'rate_limited/prefix': 3 });
    const off = setup({ abuse: { prefixes: false, conversion: false } });
    const rs2 = [];
    for (const phone of blockNumbers(40)) rs2.push(await off.verifier.start({ phone }));
    expect(tally(rs2)).toEqual({ ok: 40 });
  });
});

describe('countries', () => {
  it('allow and deny lists refuse with scope country', async () => {
    const t = setup({ abuse: { countries: { allow: ['US', 'fr'], deny: ['FR'] } } });
    expect(outcome(await t.verifier.start({ phone: '+12133734253' }))).toBe('ok');
    expect(outcome(await t.verifier.start({ phone: '+33612345678' }))).toBe(
      'country_not_allowed/country',
    );
    expect(outcome(await t.verifier.start({ phone: '+447400123456' }))).toBe(
      'country_not_allowed/country',
    );
    expect(t.outbox.messages).toHaveLength(1);
    // The shell's own allowedCountries refusal names its scope too.
    const t2 = setup({ allowedCountries: ['US'] });
    expect(outcome(await t2.verifier.start({ phone: '+33612345678' }))).toBe(
      'country_not_allowed/country',
    );
  });

  it('hourly caps per country, with a default for the others', async () => {
    const t = setup({ abuse: { countries: { hourlyCaps: { GB: 2, '*': 3 } } } });
    const gb = ['+447400123456', '+447400123457', '+447400123458'];
    const rs = [];
    for (const phone of gb) rs.push(await t.verifier.start({ phone }));
    expect(rs.map(outcome)).toEqual(['ok', 'ok', 'rate_limited/country']);
    const us = [];
    for (const phone of spreadNumbers(4)) us.push(await t.verifier.start({ phone }));
    expect(us.map(outcome)).toEqual(['ok', 'ok', 'ok', 'rate_limited/country']);
    t.advance(HOUR + 60_000);
    expect(outcome(await t.verifier.start({ phone: gb[2]! }))).toBe('ok');
  });
});

describe('global budget', () => {
  it('messages per day: a warning at 80%, then refusal with retryAfter', async () => {
    const t = setup({ abuse: { global: { messagesPerDay: 5 } } });
    const rs = [];
    for (const phone of spreadNumbers(7)) rs.push(await t.verifier.start({ phone }));
    expect(rs.map(outcome)).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
      'budget_exceeded/global',
      'budget_exceeded/global',
    ]);
    expect(rs[5]!._unsafeUnwrapErr().retryAfter).toBeGreaterThan(DAY / 1000 - 60);
    const warnings = t.events.filter((e) => e.type === 'abuse.budget_warning');
    expect(warnings).toEqual([
      expect.objectContaining({
        type: 'abuse.budget_warning',
        unit: 'messages',
        used: 4,
        limit: 5,
      }),
    ]);
    t.advance(DAY + 30 * 60_000);
    expect(outcome(await t.verifier.start({ phone: spreadNumbers(8)[7]! }))).toBe('ok');
  });

  it('resends spend the budget too', async () => {
    const t = setup({
      policy: { resendCooldownMs: 0, maxResendCooldownMs: 0 },
      abuse: { global: { messagesPerDay: 2 } },
    });
    const { id } = (await t.verifier.start({ phone: '+12133734253' }))._unsafeUnwrap();
    expect(outcome(await t.verifier.resend({ id }))).toBe('ok');
    expect(outcome(await t.verifier.resend({ id }))).toBe('budget_exceeded/global');
  });

  it('cost per day from a price table; unknown countries cost the highest price', async () => {
    const t = setup({
      abuse: { global: { costPerDay: 0.1, prices: { US: 0.01, GB: 0.04 }, warnAt: 0.5 } },
    });
    const rs = [];
    rs.push(await t.verifier.start({ phone: '+447400123456' })); // 0.04
    rs.push(await t.verifier.start({ phone: '+33612345678' })); // FR: highest price, 0.04
    rs.push(await t.verifier.start({ phone: '+447400123457' })); // 0.12 > 0.1: refused
    rs.push(await t.verifier.start({ phone: '+12133734253' })); // 0.09
    rs.push(await t.verifier.start({ phone: '+12133734254' })); // 0.10
    rs.push(await t.verifier.start({ phone: '+12133734255' })); // 0.11: refused
    expect(rs.map(outcome)).toEqual([
      'ok',
      'ok',
      'budget_exceeded/global',
      'ok',
      'ok',
      'budget_exceeded/global',
    ]);
    const w = t.events.filter((e) => e.type === 'abuse.budget_warning');
    expect(w).toEqual([expect.objectContaining({ unit: 'cost', used: 0.08, limit: 0.1 })]);
  });

  it('verifiers with different secrets sharing a store keep separate budgets', async () => {
    const t = setup({
      abuse: { global: { messagesPerDay: 1 }, countries: { hourlyCaps: { US: 1 } } },
    });
    const other = createVerifier({
      secret: 'another-secret-another-secret-another!!',
      store: t.store,
      sender: t.outbox,
      now: () => t.clock.now,
      abuse: { global: { messagesPerDay: 1 }, countries: { hourlyCaps: { US: 1 } } },
    });
    const [a, b, c] = spreadNumbers(3);
    expect(outcome(await t.verifier.start({ phone: a! }))).toBe('ok');
    expect(outcome(await other.start({ phone: b! }))).toBe('ok');
    expect(outcome(await t.verifier.start({ phone: c! }))).toBe('rate_limited/country');
  });

  it('misconfiguration throws at construction', () => {
    expect(() => setup({ abuse: { global: {} } })).toThrow(/messagesPerDay/);
    expect(() => setup({ abuse: { global: { costPerDay: 1 } } })).toThrow(/prices/);
    expect(() => setup({ abuse: { global: { messagesPerDay: 0 } } })).toThrow(/messagesPerDay/);
    expect(() => setup({ abuse: { countries: { hourlyCaps: { USA: 1 } } } })).toThrow(/hourlyCaps/);
    expect(() =>
      setup({ abuse: { prefixes: [{ trailingDigits: 0, windowMs: HOUR, max: 1 }] } }),
    ).toThrow(/trailingDigits/);
    expect(() =>
      setup({ abuse: { requesters: { ip: { sends: [{ windowMs: HOUR, max: 0 }] } } } }),
    ).toThrow(/requesters\.ip\.sends\[0\]\.max/);
    expect(() => setup({ abuse: { conversion: { threshold: 2 } } })).toThrow(/threshold/);
  });
});
