/**
 * A custom alphabet is refused with the message that names what is wrong with it
 * (src/core/policy.ts): more than 64 characters is a length problem, 64 characters outside
 * digits and upper-case letters is a character problem.
 */
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/core/policy';

// Distinct characters: 0-9, A-Z, a-z, then more.
const distinct = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    String.fromCharCode(i < 10 ? 48 + i : i < 36 ? 55 + i : 61 + i),
  ).join('');

describe('custom alphabet messages', () => {
  it('65 distinct characters: too many', () => {
    expect(new Set(distinct(65)).size).toBe(65);
    expect(() => resolvePolicy({ alphabet: distinct(65) })).toThrow(
      'phoneproof: policy.alphabet must have 2 to 64 distinct characters.',
    );
  });

  it('64 distinct characters: the count is fine, the characters are not', () => {
    expect(() => resolvePolicy({ alphabet: distinct(64) })).toThrow(
      'phoneproof: policy.alphabet may only hold digits and upper-case letters.',
    );
  });
});
