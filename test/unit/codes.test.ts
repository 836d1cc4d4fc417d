/**
 * What code generation and code input must do at their edges: bytes that would bias the
 * draw are discarded exactly from the largest multiple of the alphabet size, a code is
 * always exactly its length, and typed input is normalized but never stretched to fit.
 */
import { describe, expect, it } from 'vitest';
import {
  ALPHANUMERIC_ALPHABET,
  generateCode,
  NUMERIC_ALPHABET,
  normalizeCodeInput,
} from '../../src/codes';

/** A random source that plays `bytes` in order (then zeros), as many as asked. */
function playing(bytes: readonly number[]) {
  let i = 0;
  return (size: number) => {
    const out = new Uint8Array(size);
    for (let j = 0; j < size; j += 1) out[j] = i < bytes.length ? bytes[i++]! : 0;
    return out;
  };
}

describe('generateCode', () => {
  it('discards digits bytes from 250 (the largest multiple of 10) and keeps 249', () => {
    expect(generateCode(playing([250, 255, 249, 9, 10, 0]), 4, NUMERIC_ALPHABET)).toBe('9900');
    expect(generateCode(playing([250, 251, 252, 253, 254, 255, 1, 2]), 2, NUMERIC_ALPHABET)).toBe(
      '12',
    );
  });

  it('discards alphanumeric bytes from 248 (8 x 31) and maps the rest modulo 31', () => {
    const n = ALPHANUMERIC_ALPHABET.length;
    expect(n).toBe(31);
    const code = generateCode(playing([248, 247, 31, 30, 0]), 3, ALPHANUMERIC_ALPHABET);
    expect(code).toBe(
      `${ALPHANUMERIC_ALPHABET[247 % n]}${ALPHANUMERIC_ALPHABET[0]}${ALPHANUMERIC_ALPHABET[30]}`,
    );
  });

  it('keeps drawing until the code is complete, and never returns more', () => {
    // Every byte of the first draws is discarded.
    const code = generateCode(playing(new Array(40).fill(255)), 6, NUMERIC_ALPHABET);
    expect(code).toBe('000000');
    for (const length of [1, 4, 6, 8, 10, 12]) {
      expect(
        generateCode(playing([1, 2, 3, 4, 5, 6, 7, 8, 9]), length, NUMERIC_ALPHABET),
      ).toHaveLength(length);
    }
  });

  it('uses the alphabet it is given', () => {
    expect(generateCode(playing([0, 1, 2, 3]), 4, 'AB')).toBe('ABAB');
  });
});

describe('normalizeCodeInput', () => {
  it('drops spaces, tabs, newlines and dashes and upper-cases', () => {
    expect(normalizeCodeInput('12\t34\n5-6', 6, NUMERIC_ALPHABET)).toBe('123456');
    expect(normalizeCodeInput('a-b 2 3 4 5', 6, ALPHANUMERIC_ALPHABET)).toBe('AB2345');
    expect(normalizeCodeInput('--123456--', 6, NUMERIC_ALPHABET)).toBe('123456');
  });

  it('accepts input up to 64 characters and refuses longer input, whatever it holds', () => {
    const padded = (total: number) => `123456${' '.repeat(total - 6)}`;
    expect(normalizeCodeInput(padded(64), 6, NUMERIC_ALPHABET)).toBe('123456');
    expect(normalizeCodeInput(padded(65), 6, NUMERIC_ALPHABET)).toBeUndefined();
  });

  it('refuses a code one character short or long, or with a character outside the alphabet', () => {
    expect(normalizeCodeInput('12345', 6, NUMERIC_ALPHABET)).toBeUndefined();
    expect(normalizeCodeInput('1234567', 6, NUMERIC_ALPHABET)).toBeUndefined();
    expect(normalizeCodeInput('12345.', 6, NUMERIC_ALPHABET)).toBeUndefined();
    expect(normalizeCodeInput('12_456', 6, NUMERIC_ALPHABET)).toBeUndefined();
    // Look-alikes are not in the alphanumeric alphabet, so they are refused, not mapped.
    expect(normalizeCodeInput('ABCDE0', 6, ALPHANUMERIC_ALPHABET)).toBeUndefined();
    expect(normalizeCodeInput('ABCDEO', 6, ALPHANUMERIC_ALPHABET)).toBeUndefined();
    expect(normalizeCodeInput('', 6, NUMERIC_ALPHABET)).toBeUndefined();
  });

  it('refuses what is not a string', () => {
    for (const x of [123456, null, undefined, ['123456'], { code: '123456' }]) {
      expect(normalizeCodeInput(x, 6, NUMERIC_ALPHABET)).toBeUndefined();
    }
  });
});
