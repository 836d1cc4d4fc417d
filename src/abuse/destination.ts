/**
 * Pure destination checks that need no store: country allow / deny lists and number types.
 * @internal
 * @module
 */
import type { Channel } from '../ports/sender';
import type { ResolvedAbuse } from './options';
import type { AbuseRefusal } from './records';

/**
 * Refuses a country the deny list names. (The allow list is applied where the number is
 * parsed: `allowedCountries`, of which `abuse.countries.allow` is the deprecated spelling.)
 */
export function countryRefusal(a: ResolvedAbuse, country: string): AbuseRefusal | undefined {
  if (a.deny.has(country)) {
    return { code: 'country_not_allowed', scope: 'country' };
  }
  return undefined;
}

/**
 * Refuses a number whose type is denied: `deny` on every channel, `denyForSms` and (when set)
 * anything outside `onlyForSms` for SMS and WhatsApp (text channels alike). A number whose type the metadata cannot tell is
 * allowed unless `onlyForSms` applies.
 */
export function numberTypeRefusal(
  a: ResolvedAbuse,
  e164: string,
  channel: Channel,
): AbuseRefusal | undefined {
  const t = a.numberTypes;
  if (!t) return undefined;
  const type = t.typeOf(e164);
  const refused =
    (type !== undefined && t.deny.has(type)) ||
    (channel !== 'voice' &&
      ((type !== undefined && t.denyForSms.has(type)) ||
        (t.onlyForSms !== undefined && (type === undefined || !t.onlyForSms.has(type)))));
  return refused ? { code: 'number_type_not_allowed', scope: 'phone' } : undefined;
}
