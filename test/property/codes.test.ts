import { randomBytes } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  ALPHANUMERIC_ALPHABET,
  generateCode,
  NUMERIC_ALPHABET,
  normalizeCodeInput,
} from '../../src/codes';

const rng = (n: number) => randomBytes(n);

describe('generateCode', () => {
  test.prop([
    fc.integer({ min: 4, max: 10 }),
    fc.constantFrom(NUMERIC_ALPHABET, ALPHANUMERIC_ALPHABET),
  ])('has the requested length and alphabet', (length, alphabet) => {
    const code = generateCode(rng, length, alphabet);
    expect(code).toHaveLength(length);
    for (const ch of code) expect(alphabet).toContain(ch);
  });

  it('has no look-alike characters in the alphanumeric alphabet', () => {
    for (const ch of '01OIL') expect(ALPHANUMERIC_ALPHABET).not.toContain(ch);
  });

  /** Chi-square goodness of fit over every character position. */
  function chiSquare(alphabet: string, samples: number): number {
    const counts = new Map<string, number>([...alphabet].map((c) => [c, 0]));
    for (let i = 0; i < samples; i += 1) {
      for (const ch of generateCode(rng, 10, alphabet)) counts.set(ch, counts.get(ch)! + 1);
    }
    const expected = (samples * 10) / alphabet.length;
    let chi = 0;
    for (const c of counts.values()) chi += (c - expected) ** 2 / expected;
    return chi;
  }

  // Critical values at p = 0.0001: df 9 -> 33.72, df 30 -> 70.70. A modulo-biased generator
  // (byte % n) over 200,000 characters exceeds these by far (see the biased control below).
  it('is uniform over digits (chi-square, df 9)', () => {
    expect(chiSquare(NUMERIC_ALPHABET, 20_000)).toBeLessThan(33.72);
  });

  it('is uniform over the alphanumeric alphabet (chi-square, df 30)', () => {
    expect(chiSquare(ALPHANUMERIC_ALPHABET, 20_000)).toBeLessThan(70.7);
  });

  it('the chi-square test does detect modulo bias (control)', () => {
    const counts = new Array(ALPHANUMERIC_ALPHABET.length).fill(0);
    const bytes = randomBytes(200_000);
    for (const b of bytes) counts[b % ALPHANUMERIC_ALPHABET.length] += 1;
    const expected = bytes.length / counts.length;
    const chi = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi).toBeGreaterThan(70.7);
  });

  it('draws from the injected random source only', () => {
    const zeros = (n: number) => new Uint8Array(n);
    expect(generateCode(zeros, 6, NUMERIC_ALPHABET)).toBe('000000');
  });
});

describe('normalizeCodeInput', () => {
  it('accepts typed variants and refuses malformed input', () => {
    expect(normalizeCodeInput(' 123-456 ', 6, NUMERIC_ALPHABET)).toBe('123456');
    expect(normalizeCodeInput('ab2c9d', 6, ALPHANUMERIC_ALPHABET)).toBe('AB2C9D');
    expect(normalizeCodeInput('12345', 6, NUMERIC_ALPHABET)).toBeUndefined();
    expect(normalizeCodeInput('12345a', 6, NUMERIC_ALPHABET)).toBeUndefined();
    expect(normalizeCodeInput(123456, 6, NUMERIC_ALPHABET)).toBeUndefined();
    expect(normalizeCodeInput('1'.repeat(100), 6, NUMERIC_ALPHABET)).toBeUndefined();
  });
});
