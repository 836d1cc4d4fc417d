/** The conversion guard: pause a prefix or country whose verifications do not convert. */
import { describe, expect, it } from 'vitest';
import type { AbuseOptions } from '../../src/abuse/types';
import { PHONE, setup, wrong } from '../support/setup';
import { coarseNumbers, DAY, HOUR, outcome, spreadNumbers, tally } from './support';

const MIN = 60_000;
const guard = (over: NonNullable<AbuseOptions['conversion']> = {}): AbuseOptions => ({
  requesters: false,
  prefixes: false,
  conversion: {
    scopes: ['prefix'],
    minSends: { prefix: 5 },
    graceMs: MIN,
    windowMs: HOUR,
    pauseMs: 10 * MIN,
    probes: 2,
    ...over,
  },
});

describe('conversion guard', () => {
  it('pauses a prefix whose verifications do not convert, probes, and pauses longer', async () => {
    const t = setup({ abuse: guard() });
    const pfx = coarseNumbers(40);
    let next = 0;
    const start = () => t.verifier.start({ phone: pfx[next++]! });
    for (let i = 0; i < 6; i += 1) expect(outcome(await start())).toBe('ok');
    // Too young to judge: users may still be typing their codes.
    t.advance(MIN);
    expect(outcome(await start())).toBe('ok');
    t.advance(MIN);
    const tripped = await start();
    expect(outcome(tripped)).toBe('destination_paused/prefix');
    expect(tripped._unsafeUnwrapErr().retryAfter).toBe(600);
    expect(t.events.filter((e) => e.type === 'abuse.paused')).toEqual([
      expect.objectContaining({
        scope: 'prefix',
        sends: 6,
        approvals: 0,
        until: t.clock.now + 10 * MIN,
      }),
    ]);
    // Paused: starts and resends there are refused; other prefixes are not affected.
    t.advance(5 * MIN);
    expect(outcome(await start())).toBe('destination_paused/prefix');
    const firstId = t.outbox.messages[0]!.verificationId;
    expect(outcome(await t.verifier.resend({ id: firstId }))).toBe('destination_paused/prefix');
    expect(outcome(await t.verifier.start({ phone: spreadNumbers(1)[0]! }))).toBe('ok');
    // After the pause, two probes go out; more wait until the probes can be judged.
    t.advance(5 * MIN);
    expect(outcome(await start())).toBe('ok');
    expect(outcome(await start())).toBe('ok');
    const waiting = await start();
    expect(outcome(waiting)).toBe('destination_paused/prefix');
    expect(waiting._unsafeUnwrapErr().retryAfter).toBeLessThanOrEqual(120);
    // The probes did not convert: the next pause is twice as long.
    t.advance(2 * MIN);
    const again = await start();
    expect(again._unsafeUnwrapErr()).toMatchObject({
      code: 'destination_paused',
      retryAfter: 1_200,
    });
    expect(t.events.filter((e) => e.type === 'abuse.paused')).toHaveLength(2);
    // Probes that convert close the guard.
    t.advance(20 * MIN);
    const p1 = (await start())._unsafeUnwrap();
    expect(outcome(await start())).toBe('ok');
    const m = t.outbox.messages.find((x) => x.verificationId === p1.id)!;
    expect(outcome(await t.verifier.check({ id: p1.id, code: m.code }))).toBe('ok');
    t.advance(2 * MIN);
    const after = [];
    for (let i = 0; i < 4; i += 1) after.push(await start());
    expect(tally(after)).toEqual({ ok: 4 });
  });

  it('traffic that converts is never paused', async () => {
    const t = setup({ abuse: guard() });
    const rs = [];
    for (const [i, phone] of coarseNumbers(60).entries()) {
      const r = await t.verifier.start({ phone });
      rs.push(outcome(r));
      if (r.isOk() && i % 3 !== 2) await t.verifier.check({ id: r.value.id, code: t.code() });
      t.advance(MIN);
    }
    expect(rs.every((o) => o === 'ok')).toBe(true);
    expect(t.events.some((e) => e.type === 'abuse.paused')).toBe(false);
  });

  it('a threshold: a prefix converting above it stays open, below it pauses', async () => {
    const run = async (approveEvery: number) => {
      const t = setup({ abuse: guard({ threshold: 0.3, minSends: { prefix: 10 } }) });
      const outcomes = [];
      for (const [i, phone] of coarseNumbers(30).entries()) {
        const r = await t.verifier.start({ phone });
        outcomes.push(outcome(r));
        if (r.isOk() && i % approveEvery === 0)
          await t.verifier.check({ id: r.value.id, code: t.code() });
        t.advance(MIN);
      }
      return outcomes.includes('destination_paused/prefix');
    };
    expect(await run(2)).toBe(false); // 50% convert
    expect(await run(5)).toBe(true); // 20% convert
  });

  it('country scope pauses a whole country and leaves the others alone', async () => {
    const t = setup({ abuse: guard({ scopes: ['country'], minSends: { country: 5 } }) });
    for (const phone of spreadNumbers(5))
      expect(outcome(await t.verifier.start({ phone }))).toBe('ok');
    t.advance(3 * MIN);
    expect(outcome(await t.verifier.start({ phone: spreadNumbers(6)[5]! }))).toBe(
      'destination_paused/country',
    );
    expect(outcome(await t.verifier.start({ phone: '+447400123456' }))).toBe('ok');
  });

  it('under the defaults, one phone that never verifies cannot pause its own prefix', async () => {
    const t = setup();
    const seen = new Set<string>();
    for (let i = 0; i < 400 && t.clock.now < 1_700_000_000_000 + 3 * DAY; i += 1) {
      const s = await t.verifier.start({ phone: PHONE });
      seen.add(outcome(s));
      if (s.isErr()) {
        t.advance((s.error.retryAfter ?? 60) * 1000);
        continue;
      }
      for (let j = 0; j < 5; j += 1)
        await t.verifier.check({ id: s.value.id, code: wrong(t.code()) });
      t.advance(MIN);
    }
    expect(seen.has('ok')).toBe(true);
    expect([...seen].filter((o) => o.includes('/') && !o.endsWith('/phone'))).toEqual([]);
  });

  it('`conversion: false` turns the guard off', async () => {
    const t = setup({ abuse: { requesters: false, prefixes: false, conversion: false } });
    for (const phone of coarseNumbers(20)) await t.verifier.start({ phone });
    t.advance(HOUR);
    expect(outcome(await t.verifier.start({ phone: coarseNumbers(21)[20]! }))).toBe('ok');
  });
});
