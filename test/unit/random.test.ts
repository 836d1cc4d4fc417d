/**
 * The default random source (`src/random.ts`): a pool of CSPRNG bytes for small draws.
 */
import { describe, expect, it } from 'vitest';
import { randomPool } from '../../src/random';

describe('randomPool', () => {
  it('hands out copies: each draw has its own buffer, holding exactly the bytes asked for', () => {
    const random = randomPool(64);
    const a = random(34);
    expect(a).toBeInstanceOf(Uint8Array);
    expect(a.length).toBe(34);
    // A view on the pool would expose other draws (another person's code) through `.buffer`.
    expect(a.buffer.byteLength).toBe(34);
    expect(a.byteOffset).toBe(0);
    const kept = Uint8Array.from(a);
    random(20);
    random(40); // refills the 64-byte pool
    expect(a).toEqual(kept);
    a.fill(7);
    expect(random(30).every((b) => b === 7)).toBe(false);
  });

  it('never hands out the same bytes twice, across many refills', () => {
    const random = randomPool(256);
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i += 1) {
      const hex = Buffer.from(random(16)).toString('hex');
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
    }
  });

  it('draws look uniform (every byte value, no value far off its share)', () => {
    const random = randomPool();
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 4_000; i += 1) for (const b of random(64)) counts[b]! += 1;
    // 256,000 bytes: 1,000 expected per value; 6 standard deviations is about ±190.
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1_200);
  });

  it('zeroes the pool bytes it handed out, and refills only when the pool is spent', () => {
    const pools: Uint8Array[] = [];
    const random = randomPool(64, (b) => {
      pools.push(b);
      return b.fill(0xab);
    });
    expect(random(34)).toEqual(new Uint8Array(34).fill(0xab));
    expect(pools).toHaveLength(1);
    expect(pools[0]!.subarray(0, 34).every((b) => b === 0)).toBe(true);
    expect(pools[0]!.subarray(34).every((b) => b === 0xab)).toBe(true);
    random(30);
    expect(pools).toHaveLength(1);
    expect(pools[0]!.every((b) => b === 0)).toBe(true);
    random(1);
    expect(pools).toHaveLength(2);
  });

  it('refuses a pool smaller than the largest pooled draw', () => {
    expect(() => randomPool(32)).toThrow(RangeError);
    expect(() => randomPool(64)).not.toThrow();
  });

  it('serves large draws directly, at their exact size', () => {
    const random = randomPool(128);
    const big = random(1_000);
    expect(big.length).toBe(1_000);
    expect(big.buffer.byteLength).toBe(1_000);
    expect(big.some((b) => b !== 0)).toBe(true);
  });
});
