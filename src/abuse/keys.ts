/**
 * Store keys of the abuse budgets. Keys never hold a phone number, a prefix or an address:
 * those are keyed hashes under a subkey of the lookup secret. @internal
 * @module
 */
import { parsePhoneNumberWithError } from 'libphonenumber-js/min';
import type { RequestContext } from '../feature/operation-types';
import { type Requester, requesterOf } from '../feature/requester';
import { Recent } from '../recent';
import { hmac } from '../secrets';
import { type RequesterField, requesterKinds } from './defaults';

export { ipGroup } from '../feature/requester';

/** The requester keys of a requester identity, as `[field, store key]`, for `fields`. */
export function requesterKeysOf(
  key: Uint8Array,
  r: Requester,
  fields: ReadonlySet<RequesterField>,
): Array<[RequesterField, string]> {
  const out: Array<[RequesterField, string]> = [];
  for (const { kind, field } of requesterKinds) {
    const id = r[field];
    if (id === undefined || !fields.has(field)) continue;
    out.push([field, `req:${kind}:${hmac(key, 'requester', kind, id).slice(0, 32)}`]);
  }
  return out;
}

/** The requester keys present in a call's context (`requesterKeysOf` its identity). */
export function requesterKeys(
  key: Uint8Array,
  context: RequestContext | undefined,
  fields: ReadonlySet<RequesterField>,
  ipv6PrefixLength: number,
): Array<[RequesterField, string]> {
  return requesterKeysOf(key, requesterOf(context, ipv6PrefixLength), fields);
}

/** Characters of a requester's and a number's tag in the conversion guard's requester log. */
const CONV_TAG = 6;

/**
 * Who starts a verification, as the conversion guard tells requesters apart: the IP group
 * when the context has an address (the costliest to vary), else the user id, else the device
 * id, as a 6-character keyed hash; without any, the number itself (so each such start counts
 * as its own requester: the guard behaves as before for apps that pass no context). `entry`
 * is that tag followed by the number's (the first 6 characters of its phone key).
 */
export function conversionRequester(
  key: Uint8Array,
  r: Requester,
  phoneKey: string,
): { readonly req: string; readonly entry: string } {
  const phone = phoneKey.slice(0, CONV_TAG);
  const id =
    r.ip !== undefined
      ? `ip:${r.ip}`
      : r.userId !== undefined
        ? `user:${r.userId}`
        : r.deviceId !== undefined
          ? `dev:${r.deviceId}`
          : undefined;
  const req =
    id !== undefined
      ? hmac(key, 'conversion-requester', id).slice(0, CONV_TAG)
      : phoneKey.slice(CONV_TAG, 2 * CONV_TAG);
  return { req, entry: req + phone };
}

/** A number split into its country calling code and national significant number. */
export interface SplitNumber {
  readonly callingCode: string;
  readonly national: string;
  /** ISO country (`XX` for non-geographic numbers); set by `splitNumber`. */
  readonly country?: string;
}

/** Splits an E.164 number; undefined when it cannot be parsed. */
export function splitNumber(e164: string): SplitNumber | undefined {
  try {
    const p = parsePhoneNumberWithError(e164);
    return {
      callingCode: p.countryCallingCode,
      national: p.nationalNumber,
      country: p.country ?? 'XX',
    };
  } catch {
    return undefined;
  }
}

/**
 * The prefix a number belongs to: its calling code and national number without the last
 * `trailingDigits` digits (always at least the first national digit), e.g. `+44 9098` for
 * `+449098765432` with 6 trailing digits.
 */
export function prefixOf(n: SplitNumber, trailingDigits: number): string {
  const keep = Math.max(1, n.national.length - trailingDigits);
  return `+${n.callingCode} ${n.national.slice(0, keep)}`;
}

/** The keyed hash of a prefix, as its records' keys hold it. */
export function prefixHash(key: Uint8Array, n: SplitNumber, trailingDigits: number): string {
  return hmac(key, 'prefix', prefixOf(n, trailingDigits)).slice(0, 32);
}

/** Prefix hashes kept per verifier (a prefix is shared by many numbers). */
const PREFIX_HASHES = 4096;

/**
 * `prefixHash` under one key, remembering the most recent prefixes: a start and its approval
 * need the same hashes, and so do the other numbers of a busy prefix. The prefixes are held
 * in process memory only (as the parsed numbers are), never in the store.
 */
export function prefixHasher(key: Uint8Array): (n: SplitNumber, trailingDigits: number) => string {
  const known = new Recent<string>(PREFIX_HASHES);
  return (n, trailingDigits) => {
    const prefix = prefixOf(n, trailingDigits);
    let h = known.get(prefix);
    if (h === undefined) {
      h = hmac(key, 'prefix', prefix).slice(0, 32);
      known.set(prefix, h);
    }
    return h;
  };
}

/** The store key of a prefix's velocity log, from the prefix's hash. */
export const prefixKeyOf = (hash: string, trailingDigits: number) =>
  `pfx:${trailingDigits}:${hash}`;

/**
 * The store key of a prefix's conversion record, from the prefix's hash. It also holds the
 * velocity log of the prefix limit with the same trailing digits (see `ConversionRecord.d`).
 */
export const conversionPrefixKeyOf = (hash: string) => `conv:pfx:${hash}`;

/** The store key of a prefix's velocity log. */
export function prefixKey(key: Uint8Array, n: SplitNumber, trailingDigits: number): string {
  return prefixKeyOf(prefixHash(key, n, trailingDigits), trailingDigits);
}

/** The store key of a prefix's conversion record. */
export function conversionPrefixKey(
  key: Uint8Array,
  n: SplitNumber,
  trailingDigits: number,
): string {
  return conversionPrefixKeyOf(prefixHash(key, n, trailingDigits));
}

/** A short tag of a number for distinct-number logs (from its phone key, itself a keyed hash). */
export function phoneTag(phoneKey: string): string {
  return phoneKey.slice(0, 16);
}

/**
 * A short tag of the secret, so that verifiers with different secrets sharing one store keep
 * separate country and global records (every other key is a keyed hash already).
 */
export const namespaceOf = (key: Uint8Array) => hmac(key, 'namespace').slice(0, 8);

export const countryCapKey = (ns: string, country: string) => `cc:${ns}:${country}`;
export const conversionCountryKey = (ns: string, country: string) => `conv:cc:${ns}:${country}`;
export const globalKey = (ns: string) => `global:${ns}:day`;
