/**
 * The worst-case guess probability per phone per day under the defaults, derived from the
 * policy and confirmed by an attacker simulation with a fake clock.
 */
import { describe, expect, it } from 'vitest';
import { guessProbabilityPerDay, maxGuessesPerDay, maxSendsPerDay } from '../../src/core/bounds';
import { defaultPolicy } from '../../src/index';
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
});
