/**
 * The derived bounds of src/core/bounds.ts at their edges: a span of no time holds no send,
 * and the denial bound takes the cheapest of the long send windows.
 */
import { describe, expect, it } from 'vitest';
import { keysToDenyDays, keysToFill, maxSendsInSpan } from '../../src/core/bounds';
import { resolvePolicy } from '../../src/core/policy';

const DAY = 86_400_000;

describe('bounds at their edges', () => {
  it('no span holds no send, even without any window', () => {
    expect(maxSendsInSpan([], 0)).toBe(0);
    expect(maxSendsInSpan([], -1)).toBe(0);
    expect(maxSendsInSpan([], 1)).toBe(Number.POSITIVE_INFINITY);
  });

  it('the fewest keys to deny for days is the cheapest long window', () => {
    // A key's share is 3 a day: the daily window (10) needs 4 keys, the two-day window
    // (12 per 2 days, 6 per key) needs 2.
    const p = resolvePolicy({
      sendWindows: [
        { windowMs: DAY, max: 10 },
        { windowMs: 2 * DAY, max: 12 },
      ],
    });
    expect(keysToFill(p, p.sendWindows[0]!)).toBe(4);
    expect(keysToFill(p, p.sendWindows[1]!)).toBe(2);
    expect(keysToDenyDays(p)).toBe(2);
    const reversed = resolvePolicy({ sendWindows: [...p.sendWindows].reverse() });
    expect(keysToDenyDays(reversed)).toBe(2);
  });
});
