import { fc, test } from '@fast-check/vitest';
import { parsePhoneNumber } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { MASK_CHAR, maskFormatted, maskPhone, normalizePhone } from '../../src/phone';

const samples = [
  '+12133734253',
  '+33612345678',
  '+4930123456',
  '+819012345678',
  '+5511912345678',
  '+61412345678',
  '+919812345678',
  '+27821234567',
];
const validNumber = fc.constantFrom(...samples);
/** The same numbers as people type them: spaces, dashes, dots, parentheses. */
const formatted = fc
  .tuple(
    validNumber,
    fc.array(fc.constantFrom(' ', '-', '.', ''), { minLength: 20, maxLength: 20 }),
  )
  .map(([n, seps]) => `+${[...n.slice(1)].map((d, i) => d + (seps[i] ?? '')).join('')}`.trim());

describe('normalizePhone', () => {
  test.prop([formatted])('is idempotent and formatting-insensitive', (input) => {
    const once = normalizePhone(input);
    expect(once.isOk()).toBe(true);
    const twice = normalizePhone(once._unsafeUnwrap().number);
    expect(twice._unsafeUnwrap()).toEqual(once._unsafeUnwrap());
    expect(samples).toContain(once._unsafeUnwrap().number);
  });

  test.prop([fc.string({ maxLength: 60 })])('never throws on arbitrary text', (input) => {
    const r = normalizePhone(input);
    if (r.isErr()) expect(r.error.code).toBe('invalid_phone');
    else expect(r.value.number).toMatch(/^\+[1-9]\d{6,14}$/);
  });

  test.prop([fc.anything()])('never throws on arbitrary values', (input) => {
    expect(() => normalizePhone(input)).not.toThrow();
  });

  it('gives reasons', () => {
    const reason = (s: unknown, c?: string) =>
      normalizePhone(s, c ? { defaultCountry: c } : {})._unsafeUnwrapErr().reason;
    expect(reason('hello')).toBe('not_a_number');
    expect(reason('+1 213 373 4253 ext. 12')).toBe('has_extension');
    expect(reason('call +12133734253')).toBe('not_a_number');
    expect(reason('+999 123456')).toBe('invalid_country');
    expect(reason('2133734253', 'ZZ')).toBe('invalid_country');
    expect(reason('+1213')).toBe('too_short');
    expect(reason('+1 213 373 4253 999 999')).toBe('too_long');
    expect(reason(42)).toBe('not_a_string');
    expect(reason('')).toBe('not_a_number');
  });

  it('uses the default country for national numbers', () => {
    expect(normalizePhone('(213) 373-4253', { defaultCountry: 'US' })._unsafeUnwrap()).toEqual({
      number: '+12133734253',
      country: 'US',
    });
    expect(normalizePhone('06 12 34 56 78', { defaultCountry: 'FR' })._unsafeUnwrap().number).toBe(
      '+33612345678',
    );
  });
});

describe('maskPhone', () => {
  it('keeps the country code, the grouping and the last two digits', () => {
    expect(maskPhone('+12133734253')).toBe(
      `+1 ${MASK_CHAR.repeat(3)} ${MASK_CHAR.repeat(3)} ${MASK_CHAR.repeat(2)}53`,
    );
    expect(maskPhone('+33612345678', { visible: 4 })).toBe(
      `+33 ${MASK_CHAR} ${MASK_CHAR.repeat(2)} ${MASK_CHAR.repeat(2)} 56 78`,
    );
  });

  test.prop([validNumber, fc.integer({ min: -5, max: 12 })])(
    'never shows more than the allowed digits',
    (n, visible) => {
      const allowed = Math.min(4, Math.max(0, visible));
      const masked = maskPhone(n, { visible });
      const [head, ...rest] = masked.split(' ');
      const tail = rest.join(' ');
      const national = parsePhoneNumber(n).nationalNumber;
      expect(head).toBe(`+${parsePhoneNumber(n).countryCallingCode}`);
      expect(tail.replace(/[^\d]/g, '')).toBe(allowed === 0 ? '' : national.slice(-allowed));
      expect((tail.match(new RegExp(MASK_CHAR, 'g')) ?? []).length).toBe(national.length - allowed);
    },
  );

  test.prop([fc.string({ maxLength: 30 })])(
    'never reveals more than 4 trailing digits of garbage',
    (s) => {
      const digitsIn = (s.match(/\d/g) ?? []).length;
      const masked = maskPhone(s);
      expect((masked.match(/\d/g) ?? []).length).toBeLessThanOrEqual(Math.min(2, digitsIn));
    },
  );

  /** The regex form `maskFormatted` had before its loops (the reference). */
  const maskByRegex = (formatted: string, prefixLength: number, visibleOption?: number) => {
    const visible = Math.min(4, Math.max(0, Math.trunc(visibleOption ?? 2)));
    const tail = formatted.slice(prefixLength);
    const digits = (tail.match(/\d/g) ?? []).length;
    let seen = 0;
    const masked = tail.replace(/\d/g, (d) => {
      seen += 1;
      return seen > digits - visible ? d : MASK_CHAR;
    });
    return formatted.slice(0, prefixLength) + masked;
  };

  test.prop([
    fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^\+[\d ()\-٣]{0,20}$/)),
    fc.integer({ min: 0, max: 32 }),
    fc.option(fc.oneof(fc.integer({ min: -5, max: 12 }), fc.double()), { nil: undefined }),
  ])('maskFormatted masks exactly as the regex form did', (formatted, prefix, visible) => {
    expect(maskFormatted(formatted, prefix, visible)).toBe(maskByRegex(formatted, prefix, visible));
  });
});
