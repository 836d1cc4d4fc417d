/**
 * The country allow list, resolved once at construction. It has one home, the top-level
 * `allowedCountries` (applied where a number is parsed: every operation that takes one);
 * `abuse.countries.allow` is its deprecated spelling, read here and nowhere else. Giving both
 * with different countries is refused (a list silently winning over the other would open
 * countries the application meant to close). @internal
 * @module
 */
import type { VerifierOptions } from './types';

const ALPHA2 = /^[A-Za-z]{2}$/;

function listOf(path: string, v: unknown): ReadonlySet<string> {
  if (!Array.isArray(v) || !v.every((c) => typeof c === 'string' && ALPHA2.test(c))) {
    throw new TypeError(`phoneproof: \`${path}\` must be an array of ISO 3166-1 alpha-2 codes.`);
  }
  return new Set(v.map((c: string) => c.toUpperCase()));
}

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) =>
  a.size === b.size && [...a].every((c) => b.has(c));

/** The countries accepted (undefined: all). Throws on misconfiguration. */
export function allowedCountriesOf(options: VerifierOptions): ReadonlySet<string> | undefined {
  const top =
    options.allowedCountries === undefined
      ? undefined
      : listOf('allowedCountries', options.allowedCountries);
  const abuse = options.abuse;
  const legacy = typeof abuse === 'object' && abuse !== null ? abuse.countries?.allow : undefined;
  const old = legacy === undefined ? undefined : listOf('abuse.countries.allow', legacy);
  if (top && old && !sameSet(top, old)) {
    throw new TypeError(
      'phoneproof: `allowedCountries` and `abuse.countries.allow` (its deprecated spelling) ' +
        'name different countries; give the list once, as `allowedCountries`.',
    );
  }
  return top ?? old;
}
