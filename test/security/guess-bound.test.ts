/**
 * The worst-case guess probability per phone per day under the defaults, derived from the
 * policy and confirmed by an attacker simulation with a fake clock.
 */
import { describe, expect, it } from 'vitest';
import {
  guessProbabilityPerDay,
  keysToDenyDays,
  keysToFill,
  maxGuessesPerDay,
  maxSendsPerDay,
  oneKeyCanDeny,
  requesterSendsPerDay,
} from '../../src/core/bounds';
import { defaultPolicy } from '../../src/core/policy';
import { PHONE, setup, wrong } from '../support/setup';

const DAY = 86_400_000;

describe('worst-case guessing under the defaults', () => {
  it('is at most 75 guesses in any rolling 24 hours, so P <= 7.5e-5 per phone per day', () => {
    // 10 sends per 24 h, plus at most 5 (one hour's window) in the code lifetime before it,
    // each with 5 checks.
    expect(maxSendsPerDay(defaultPolicy)).toBe(10);
    expect(maxGuessesPerDay(defaultPolicy)).toBe(75);
    expect(guessProbabilityPerDay(defaultPolicy)).toBeCloseTo(7.5e-5, 12);
  });

  it('derives the bound for other windows', () => {
    const policy = (sendWindows: Array<{ windowMs: number; max: number }>) => ({
      ...defaultPolicy,
      sendWindows,
    });
    expect(maxGuessesPerDay(policy([{ windowMs: DAY, max: 3 }]))).toBe(6 * 5);
    expect(maxGuessesPerDay(policy([{ windowMs: 3_600_000, max: 1 }]))).toBe(25 * 5);
    expect(
      maxSendsPerDay(
        policy([
          { windowMs: 3_600_000, max: 2 },
          { windowMs: DAY, max: 30 },
        ]),
      ),
    ).toBe(30);
  });

  it('an attacker who guesses as fast as the verifier allows gets no more than the bound on any day', async () => {
    const t = setup();
    const start = t.clock.now;
    const evaluatedAt: number[] = [];
    while (t.clock.now < start + 3 * DAY) {
      const s = await t.verifier.start({ phone: PHONE });
      if (s.isErr()) {
        t.advance((s.error.retryAfter ?? 60) * 1000);
        continue;
      }
      const bad = wrong(t.code());
      for (let i = 0; i < 10; i += 1) {
        const r = await t.verifier.check({ id: s.value.id, code: bad });
        if (r.isErr() && r.error.code === 'code_mismatch') evaluatedAt.push(t.clock.now);
      }
      // Resends bring no extra checks; try them anyway.
      t.advance(30_000);
      await t.verifier.resend({ id: s.value.id });
      await t.verifier.check({ id: s.value.id, code: bad });
    }
    let worstDay = 0;
    for (const at of evaluatedAt) {
      worstDay = Math.max(worstDay, evaluatedAt.filter((x) => x >= at && x < at + DAY).length);
    }
    console.log(`worst day: ${worstDay} guesses evaluated`);
    expect(worstDay).toBeGreaterThan(0);
    expect(worstDay).toBeLessThanOrEqual(maxGuessesPerDay(defaultPolicy));
  });

  it('holds for an attacker on a fresh requester key for every verification, beside an owner whose approvals give sends back', async () => {
    const t = setup();
    const start = t.clock.now;
    const wrongAt: number[] = [];
    let key = 0;
    let nextOwner = start;
    while (t.clock.now < start + 3 * DAY) {
      if (t.clock.now >= nextOwner) {
        // The owner, on its own address, verifies at its first check every 2 hours.
        const owner = { context: { ip: '198.51.100.7' } };
        const o = await t.verifier.start({ phone: PHONE, purpose: 'owner', ...owner });
        if (o.isOk()) await t.verifier.check({ id: o.value.id, code: t.code(), ...owner });
        nextOwner += 2 * 3_600_000;
      }
      key += 1;
      const ctx = { context: { ip: `10.9.${(key >> 8) & 255}.${key & 255}` } };
      const s = await t.verifier.start({ phone: PHONE, ...ctx });
      if (s.isErr()) {
        t.advance(Math.min(60, s.error.retryAfter ?? 60) * 1000);
        continue;
      }
      const bad = wrong(t.code());
      for (let i = 0; i < 6; i += 1) {
        const r = await t.verifier.check({ id: s.value.id, code: bad, ...ctx });
        if (r.isErr() && r.error.code === 'code_mismatch') wrongAt.push(t.clock.now);
      }
    }
    let worstDay = 0;
    for (const at of wrongAt) {
      worstDay = Math.max(worstDay, wrongAt.filter((x) => x >= at && x < at + DAY).length);
    }
    console.log(`fresh key per verification: worst day ${worstDay} wrong guesses evaluated`);
    expect(worstDay).toBeGreaterThan(0);
    expect(worstDay).toBeLessThanOrEqual(maxGuessesPerDay(defaultPolicy));
  });
});

describe('denial bounds under the defaults', () => {
  it('one requester key can neither fill a send window nor lock the phone', () => {
    expect(requesterSendsPerDay(defaultPolicy)).toBe(3);
    expect(oneKeyCanDeny(defaultPolicy)).toBe(false);
    expect(defaultPolicy.sendWindows.map((w) => keysToFill(defaultPolicy, w))).toEqual([2, 4]);
    expect(keysToDenyDays(defaultPolicy)).toBe(4);
  });

  it('follows the shares and the lock setting', () => {
    const policy = (extra: Partial<typeof defaultPolicy>) => ({ ...defaultPolicy, ...extra });
    expect(oneKeyCanDeny(policy({ requesterSendWindows: [] }))).toBe(true);
    expect(oneKeyCanDeny(policy({ requesterSendWindows: [{ windowMs: DAY, max: 10 }] }))).toBe(
      true,
    );
    expect(keysToDenyDays(policy({ requesterSendWindows: [{ windowMs: DAY, max: 5 }] }))).toBe(2);
    expect(
      oneKeyCanDeny(
        policy({ lockout: { ...(defaultPolicy.lockout as object), requesters: 1 } as never }),
      ),
    ).toBe(true);
  });
});
