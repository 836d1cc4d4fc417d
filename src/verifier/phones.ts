/**
 * Phone input for the shell: normalize, apply the allowed countries, mask; optionally keep
 * the numbers recently parsed. @internal
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';
import type { PhoneNumber } from '../feature/feature';
import { maskFormatted, parsePhone } from '../phone';
import { Recent } from '../recent';

/** Parsed numbers kept per verifier, once `keep` is called. */
const PARSED_CACHE_SIZE = 1024;

export interface PhoneParser {
  phoneOf(x: unknown): Result<PhoneNumber, VerifyError>;
  /** Starts keeping recently parsed numbers (for features that parse an input twice). */
  keep(): void;
}

export function phoneParser(o: {
  readonly defaultCountry: string | undefined;
  readonly allowed: ReadonlySet<string> | undefined;
  readonly maskVisible: number;
}): PhoneParser {
  // Numbers recently parsed, by input, once a feature asks for it (`keep`): the abuse
  // defenses read the same input as the operation they wrap, and an approval's bookkeeping
  // reads the number its start parsed. Off otherwise: a cache that never hits only adds
  // garbage that outlives young-generation collections. Only valid numbers are kept; the
  // result is a pure function of the input and the options.
  let parsed: Recent<PhoneNumber> | undefined;
  const options = o.defaultCountry ? { defaultCountry: o.defaultCountry } : {};
  return {
    phoneOf(x) {
      const hit = parsed !== undefined && typeof x === 'string' ? parsed.get(x) : undefined;
      if (hit !== undefined) return ok(hit);
      return parsePhone(x, options).andThen((p) => {
        if (o.allowed && !o.allowed.has(p.country)) {
          return err(verifyError('country_not_allowed', { scope: 'country' }));
        }
        const phone: PhoneNumber = {
          number: p.number,
          country: p.country,
          international: p.international,
          callingCode: p.callingCode,
          masked: maskFormatted(p.international, p.callingCode.length + 1, o.maskVisible),
        };
        parsed?.set(x as string, phone);
        return ok(phone);
      });
    },
    keep() {
      parsed ??= new Recent(PARSED_CACHE_SIZE);
    },
  };
}
