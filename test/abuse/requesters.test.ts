/** Requester budgets: per IP (IPv6 per /64), device and user, for sends and checks. */
import { describe, expect, it } from 'vitest';
import { setup, wrong } from '../support/setup';
import { HOUR, outcome, spreadNumbers, tally } from './support';

describe('requester budgets (defaults)', () => {
  it('one IP makes the server message at most 30 distinct numbers per hour, 100 per day', async () => {
    // Without approvals the conversion guard would pause the country first (tested apart).
    const t = setup({ abuse: { conversion: false } });
    const numbers = spreadNumbers(120);
    const first = [];
    for (const phone of numbers.slice(0, 40)) {
      first.push(await t.verifier.start({ phone, context: { ip: '198.51.100.7' } }));
    }
    expect(tally(first)).toEqual({ ok: 30, 'rate_limited/requester': 10 });
    const refused = first[30]!._unsafeUnwrapErr();
    expect(refused.retryAfter).toBeGreaterThan(3_500);
    expect(refused.retryAfter).toBeLessThanOrEqual(3_600 + 60);
    expect(t.outbox.messages).toHaveLength(30);
    // Another IP is another requester.
    expect(
      outcome(await t.verifier.start({ phone: numbers[40]!, context: { ip: '198.51.100.8' } })),
    ).toBe('ok');
    // Hours later the hourly budget is back, until the daily one (100) runs out.
    let sent = 30;
    for (let h = 1; h <= 4; h += 1) {
      t.advance(HOUR + 60_000);
      for (const phone of numbers.slice(40 + (h - 1) * 30, 40 + h * 30)) {
        const r = await t.verifier.start({ phone, context: { ip: '198.51.100.7' } });
        if (r.isOk()) sent += 1;
      }
    }
    expect(sent).toBe(100);
  });

  it('rotating addresses inside one IPv6 /64 is one requester; another /64 is another', async () => {
    const t = setup();
    const numbers = spreadNumbers(35);
    const rs = [];
    for (const [i, phone] of numbers.entries()) {
      const ip = `2001:db8:77:1:${((i * 7919) % 65536).toString(16)}::${i.toString(16)}`;
      rs.push(await t.verifier.start({ phone, context: { ip } }));
    }
    expect(tally(rs)).toEqual({ ok: 30, 'rate_limited/requester': 5 });
    const other = await t.verifier.start({
      phone: numbers[34]!,
      context: { ip: '2001:db8:77:2::1' },
    });
    expect(outcome(other)).toBe('ok');
  });

  it('messages to the same number again do not use up destinations', async () => {
    const t = setup({
      // Without the per-requester share of a phone's sends (3 starts to one number in an hour).
      policy: { requesterSendWindows: [] },
      abuse: { requesters: { ip: { destinations: [{ windowMs: HOUR, max: 2 }] } } },
    });
    const [a, b, c] = spreadNumbers(3);
    const ctx = { context: { ip: '192.0.2.1' } };
    for (let i = 0; i < 3; i += 1) {
      expect(outcome(await t.verifier.start({ phone: a!, ...ctx }))).toBe('ok');
      t.advance(60_000);
    }
    expect(outcome(await t.verifier.start({ phone: b!, ...ctx }))).toBe('ok');
    expect(outcome(await t.verifier.start({ phone: c!, ...ctx }))).toBe('rate_limited/requester');
  });

  it('device ids and user ids have their own, smaller budgets (10 numbers per hour)', async () => {
    const t = setup();
    const numbers = spreadNumbers(24);
    const byDevice = [];
    for (const [i, phone] of numbers.slice(0, 12).entries()) {
      byDevice.push(
        await t.verifier.start({ phone, context: { ip: `192.0.2.${i}`, deviceId: 'device-a' } }),
      );
    }
    expect(tally(byDevice)).toEqual({ ok: 10, 'rate_limited/requester': 2 });
    const byUser = [];
    for (const [i, phone] of numbers.slice(12).entries()) {
      byUser.push(
        await t.verifier.start({ phone, context: { ip: `192.0.3.${i}`, userId: 'user-1' } }),
      );
    }
    expect(tally(byUser)).toEqual({ ok: 10, 'rate_limited/requester': 2 });
  });

  it('calls without a requester context are not limited per requester', async () => {
    const t = setup();
    const rs = [];
    for (const phone of spreadNumbers(60)) rs.push(await t.verifier.start({ phone }));
    expect(tally(rs)).toEqual({ ok: 60 });
  });

  it('room is given back when the verifier refuses for another reason (no message left)', async () => {
    const t = setup({
      policy: { sendWindows: [{ windowMs: HOUR, max: 1 }] },
      abuse: { requesters: { ip: { sends: [{ windowMs: HOUR, max: 3 }] } } },
    });
    const [a, b, c, d] = spreadNumbers(4);
    const ctx = { context: { ip: '192.0.2.50' } };
    expect(outcome(await t.verifier.start({ phone: a!, ...ctx }))).toBe('ok');
    for (let i = 0; i < 5; i += 1) {
      expect(outcome(await t.verifier.start({ phone: a!, ...ctx }))).toBe(
        'send_limit_reached/phone',
      );
    }
    expect(outcome(await t.verifier.start({ phone: b!, ...ctx }))).toBe('ok');
    expect(outcome(await t.verifier.start({ phone: c!, ...ctx }))).toBe('ok');
    expect(outcome(await t.verifier.start({ phone: d!, ...ctx }))).toBe('rate_limited/requester');
  });

  it('resends count as sends of the requester', async () => {
    const t = setup({
      policy: { resendCooldownMs: 0, maxResendCooldownMs: 0, requesterSendWindows: [] },
      abuse: { requesters: { ip: { sends: [{ windowMs: HOUR, max: 3 }] } } },
    });
    const ctx = { context: { ip: '192.0.2.60' } };
    const { id } = (
      await t.verifier.start({ phone: spreadNumbers(1)[0]!, ...ctx })
    )._unsafeUnwrap();
    expect(outcome(await t.verifier.resend({ id, ...ctx }))).toBe('ok');
    expect(outcome(await t.verifier.resend({ id, ...ctx }))).toBe('ok');
    expect(outcome(await t.verifier.resend({ id, ...ctx }))).toBe('rate_limited/requester');
    // Another address may not resend a verification it did not start (docs/security.md).
    expect(outcome(await t.verifier.resend({ id, context: { ip: '192.0.2.61' } }))).toBe(
      'not_found',
    );
    expect(t.outbox.messages).toHaveLength(3);
  });

  it('checks per requester are limited before any code is evaluated', async () => {
    const t = setup({ abuse: { requesters: { ip: { checks: [{ windowMs: HOUR, max: 3 }] } } } });
    const ctx = { context: { ip: '192.0.2.70' } };
    const { id } = (
      await t.verifier.start({ phone: spreadNumbers(1)[0]!, ...ctx })
    )._unsafeUnwrap();
    const bad = wrong(t.code());
    const rs = [];
    for (let i = 0; i < 5; i += 1) rs.push(await t.verifier.check({ id, code: bad, ...ctx }));
    expect(rs.map(outcome)).toEqual([
      'code_mismatch',
      'code_mismatch',
      'code_mismatch',
      'rate_limited/requester',
      'rate_limited/requester',
    ]);
    // The refused checks were not evaluated: two attempts are left.
    expect((await t.verifier.status({ id }))._unsafeUnwrap().attemptsLeft).toBe(2);
    expect(outcome(await t.verifier.check({ id, code: t.code() }))).toBe('ok');
  });

  it('`requesters: false` and per-kind `false` turn budgets off', async () => {
    const off = setup({ abuse: { requesters: false } });
    const numbers = spreadNumbers(40);
    const rs = [];
    for (const phone of numbers)
      rs.push(await off.verifier.start({ phone, context: { ip: '192.0.2.9' } }));
    expect(tally(rs)).toEqual({ ok: 40 });
    const ipOff = setup({ abuse: { requesters: { ip: false } } });
    const rs2 = [];
    for (const phone of numbers)
      rs2.push(await ipOff.verifier.start({ phone, context: { ip: '192.0.2.9' } }));
    expect(tally(rs2)).toEqual({ ok: 40 });
  });
});
