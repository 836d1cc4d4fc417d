/**
 * The worst-case guess probability per phone per day under the defaults, derived from the
 * policy and confirmed by an attacker simulation with a fake clock.
 */
import { describe, expect, it } from 'vitest';
import { guessProbabilityPerDay, maxGuessesPerDay } from '../../src/core/bounds';
import { defaultPolicy } from '../../src/index';
import { PHONE, setup, wrong } from '../support/setup';

const DAY = 86_400_000;

describe('worst-case guessing under the defaults', () => {
  it('is at most 50 guesses, so P <= 5e-5 per phone per day', () => {
    expect(maxGuessesPerDay(defaultPolicy)).toBe(50);
    expect(guessProbabilityPerDay(defaultPolicy)).toBeCloseTo(5e-5, 12);
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
