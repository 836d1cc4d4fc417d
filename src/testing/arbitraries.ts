/**
 * fast-check arbitraries for an application's property tests: valid phone numbers per
 * country, and codes in a policy's format. Needs `fast-check` (an optional peer
 * dependency of phoneproof, 3.23 or later) in the application's dev dependencies.
 * @module
 */
import fc from 'fast-check';
import examples from 'libphonenumber-js/examples.mobile.json';
import { type CountryCode, getExampleNumber } from 'libphonenumber-js/min';
import { type PolicyOptions, resolvePolicy } from '../core/policy';
import { normalizePhone } from '../phone';

/** Countries `phoneNumber()` draws from when none are named. */
export const DEFAULT_TEST_COUNTRIES = ['US', 'GB', 'FR', 'DE', 'BR', 'IN', 'JP', 'AU'] as const;

/** Digits varied at the end of each country's example mobile number. */
const VARIED_DIGITS = 4;

function variants(country: string): fc.Arbitrary<string> {
  const example = getExampleNumber(country as CountryCode, examples);
  if (!example) throw new RangeError(`phoneNumber: no mobile numbers known for "${country}"`);
  const e164 = example.number;
  const head = e164.slice(0, e164.length - VARIED_DIGITS);
  const max = 10 ** VARIED_DIGITS - 1;
  const valid = (n: string) =>
    normalizePhone(n)
      .map((p) => p.country === country)
      .unwrapOr(false);
  if (!valid(e164)) throw new RangeError(`phoneNumber: "${country}" has no valid example number`);
  // A variant the country's numbering plan does not allow falls back to the example itself
  // (no filter: drawing always terminates, whatever the plan).
  return fc.integer({ min: 0, max }).map((n) => {
    const candidate = `${head}${String(n).padStart(VARIED_DIGITS, '0')}`;
    return valid(candidate) ? candidate : e164;
  });
}

/**
 * Valid mobile numbers in E.164 (`+33612345678`) of `countries` (ISO 3166-1 alpha-2; default
 * {@link DEFAULT_TEST_COUNTRIES}): each is the country's example mobile number with its
 * last four digits drawn at random, kept if `normalizePhone` accepts it for that country
 * (else the example number itself).
 */
export function phoneNumber(
  countries: string | readonly string[] = DEFAULT_TEST_COUNTRIES,
): fc.Arbitrary<string> {
  const list = typeof countries === 'string' ? [countries] : countries;
  if (list.length === 0) throw new RangeError('phoneNumber: name at least one country');
  const arbitraries = list.map((c) => variants(c.toUpperCase()));
  return arbitraries.length === 1 ? arbitraries[0]! : fc.oneof(...arbitraries);
}

/**
 * Codes as a verifier with this `policy` sends them (default: 6 digits): `codeLength`
 * characters of its alphabet. Use it for guesses, or `.filter((c) => c !== sent)` for a
 * code that is certainly wrong.
 */
export function verificationCode(policy: PolicyOptions = {}): fc.Arbitrary<string> {
  const { codeLength, alphabet } = resolvePolicy(policy);
  return fc
    .array(fc.constantFrom(...alphabet), { minLength: codeLength, maxLength: codeLength })
    .map((chars) => chars.join(''));
}
