/** The conversion guard: pause a prefix or country whose verifications do not convert. */
import { describe, expect, it } from 'vitest';
import { conversionSend, type Requester, requesterCap } from '../../src/abuse/conversion';
import { resolveAbuse } from '../../src/abuse/options';
import type { ConversionRecord } from '../../src/abuse/records';
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
    // The mechanics: any number of requesters may pause (the requester rule is tested apart).
    minRequesters: 1,
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

  it('a pause needs unconverted starts from minRequesters distinct requesters', async () => {
    const t = setup({ abuse: guard({ minRequesters: 3 }) });
    const pfx = coarseNumbers(40);
    let next = 0;
    const start = (ip: string) => t.verifier.start({ phone: pfx[next++]!, context: { ip } });
    for (let i = 0; i < 10; i += 1) expect(outcome(await start(`192.0.2.${i % 2}`))).toBe('ok');
    t.advance(3 * MIN);
    // Ten unconverted starts, from two addresses: no pause, however low the conversion.
    for (let i = 0; i < 4; i += 1) expect(outcome(await start(`192.0.2.${i % 2}`))).toBe('ok');
    // A third requester's unconverted start makes three: the next start trips the pause.
    expect(outcome(await start('198.51.100.1'))).toBe('ok');
    expect(outcome(await start('192.0.2.0'))).toBe('destination_paused/prefix');
    // After the pause the three that tripped it take no probe (no retry time: waiting does not
    // help them); a fourth requester takes one, and only one.
    t.advance(10 * MIN);
    for (const ip of ['192.0.2.0', '192.0.2.1', '198.51.100.1']) {
      const r = await start(ip);
      expect(outcome(r)).toBe('destination_paused/prefix');
      expect(r._unsafeUnwrapErr().retryAfter).toBeUndefined();
    }
    expect(outcome(await start('198.51.100.2'))).toBe('ok');
    expect(outcome(await start('198.51.100.2'))).toBe('destination_paused/prefix');
    expect(outcome(await start('198.51.100.3'))).toBe('ok');
  });

  it('an approval takes its number out of the unconverted starts', async () => {
    const pfx = coarseNumbers(40);
    // 6 judged, 2 approvals: conversion below the threshold; the rule alone decides.
    const low = setup({ abuse: guard({ minRequesters: 3, threshold: 0.9 }) });
    for (let i = 0; i < 6; i += 1) {
      const r = await low.verifier.start({ phone: pfx[i]!, context: { ip: `192.0.2.${i % 3}` } });
      if (i % 3 === 2) await low.verifier.check({ id: r._unsafeUnwrap().id, code: low.code() });
    }
    low.advance(3 * MIN);
    expect(
      outcome(await low.verifier.start({ phone: pfx[7]!, context: { ip: '192.0.2.9' } })),
    ).toBe('ok');
    // Without the approvals' removal 192.0.2.2 would have made three requesters already.
    // Now three requesters have unconverted starts (192.0.2.0, .1 and .9): the next one trips.
    expect(
      outcome(await low.verifier.start({ phone: pfx[8]!, context: { ip: '192.0.2.9' } })),
    ).toBe('destination_paused/prefix');
  });

  it('the requester log and the excluded list are bounded', () => {
    const c = resolveAbuse({ conversion: { minSends: { prefix: 1_000_000 } } }).conversion!;
    const cap = requesterCap(c);
    expect(cap).toBe(32);
    let raw: string | undefined;
    const who = (i: number): Requester => {
      const req = `r${String(i).padStart(5, '0')}`;
      return { req, entry: `${req}p${String(i).padStart(5, '0')}` };
    };
    for (let i = 0; i < 500; i += 1) {
      const step = conversionSend(c, 'country', 1_700_000_000_000 + i, 'start', who(i))(raw);
      raw = (step.write as { value: string }).value;
    }
    const r = JSON.parse(raw!) as ConversionRecord;
    expect(r.u).toHaveLength(cap);
    // The newest entries are kept.
    expect(r.u!.at(-1)![0]).toBe(who(499).entry);
    expect(raw!.length).toBeLessThan(2_000);
    // Tripped by all of them: the excluded list keeps at most `cap` requesters.
    const tripping = resolveAbuse({
      conversion: { minSends: { country: 5 }, minRequesters: 10, graceMs: 1000 },
    }).conversion!;
    raw = undefined;
    let now = 1_700_000_000_000;
    for (let i = 0; i < 40; i += 1) {
      const step = conversionSend(tripping, 'country', now, 'start', who(i))(raw);
      raw = (step.write as { value: string }).value;
    }
    now += 2 * HOUR;
    const trip = conversionSend(tripping, 'country', now, 'start', who(99))(raw);
    expect(trip.result.refusal?.code).toBe('destination_paused');
    const paused = JSON.parse((trip.write as { value: string }).value) as ConversionRecord;
    expect(paused.u).toBeUndefined();
    expect(paused.ex!.length).toBeLessThanOrEqual(requesterCap(tripping));
    expect(paused.ex!.length).toBe(32);
  });

  it('`conversion: false` turns the guard off', async () => {
    const t = setup({ abuse: { requesters: false, prefixes: false, conversion: false } });
    for (const phone of coarseNumbers(20)) await t.verifier.start({ phone });
    t.advance(HOUR);
    expect(outcome(await t.verifier.start({ phone: coarseNumbers(21)[20]! }))).toBe('ok');
  });
});
