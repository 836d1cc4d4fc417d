/**
 * Store keys of the abuse budgets. Keys never hold a phone number, a prefix or an address:
 * those are keyed hashes under a subkey of the lookup secret. @internal
 * @module
 */
import { parsePhoneNumberWithError } from 'libphonenumber-js';
import { Recent } from '../recent';
import { hmac } from '../secrets';
import type { RequestContext } from '../verifier/types';
import { type RequesterField, requesterKinds } from './defaults';

/** Longest context value used as a requester key (longer values are hashed the same way). */
const MAX_VALUE = 512;

/** Parses dotted IPv4 into its canonical form, or undefined. */
function ipv4(s: string): string | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const nums = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  return nums.every((n) => n >= 0 && n <= 255) ? nums.join('.') : undefined;
}

/** Expands an IPv6 address (embedded IPv4 tail allowed) into 8 numbers, or undefined. */
function ipv6(s: string): number[] | undefined {
  let text = s;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.includes('.', lastColon)) {
    const v4 = ipv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    const b = v4.split('.').map(Number) as [number, number, number, number];
    tail.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string | undefined): number[] =>
    h === undefined || h === ''
      ? []
      : h.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  const groups = head.length + rest.length + tail.length;
  if (halves.length === 1 ? groups !== 8 : groups > 7) return undefined;
  const fill = new Array<number>(8 - groups).fill(0);
  const all = halves.length === 2 ? [...head, ...fill, ...rest, ...tail] : [...head, ...tail];
  return all.every((g) => Number.isInteger(g)) ? all : undefined;
}

/**
 * The requester identity of an address: IPv4 as is (IPv4-mapped IPv6 too), IPv6 truncated
 * to its first `prefixLength` bits (a /64 is one subscriber's network). Anything else is
 * used verbatim, lower-cased.
 */
export function ipGroup(raw: string, prefixLength: number): string {
  const s = raw
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '')
    .toLowerCase();
  const v4 = ipv4(s);
  if (v4) return v4;
  const g = ipv6(s);
  if (!g) return `raw:${s.slice(0, MAX_VALUE)}`;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  }
  const bits = Math.min(128, prefixLength);
  const out = g.map((x, i) => {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    return keep === 0 ? 0 : x & (0xffff << (16 - keep)) & 0xffff;
  });
  return `${out.map((x) => x.toString(16)).join(':')}/${bits}`;
}

/** The requester keys present in a call's context, as `[field, store key]`. */
export function requesterKeys(
  key: Buffer,
  context: RequestContext | undefined,
  fields: ReadonlySet<RequesterField>,
  ipv6PrefixLength: number,
): Array<[RequesterField, string]> {
  if (!context || typeof context !== 'object') return [];
  const out: Array<[RequesterField, string]> = [];
  for (const { kind, field } of requesterKinds) {
    const raw = context[field];
    // Numeric user and device ids are common; an address must be a string.
    const v = typeof raw === 'number' && Number.isFinite(raw) && field !== 'ip' ? String(raw) : raw;
    if (!fields.has(field) || typeof v !== 'string' || v.trim() === '') continue;
    const id = field === 'ip' ? ipGroup(v, ipv6PrefixLength) : v.slice(0, MAX_VALUE);
    out.push([field, `req:${kind}:${hmac(key, 'requester', kind, id).slice(0, 32)}`]);
  }
  return out;
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
  key: Buffer,
  context: RequestContext | undefined,
  phoneKey: string,
  ipv6PrefixLength: number,
): { readonly req: string; readonly entry: string } {
  const phone = phoneKey.slice(0, CONV_TAG);
  let req: string | undefined;
  if (context && typeof context === 'object') {
    const text = (x: unknown) =>
      typeof x === 'number' && Number.isFinite(x)
        ? String(x)
        : typeof x === 'string' && x.trim() !== ''
          ? x.slice(0, MAX_VALUE)
          : undefined;
    const ip = typeof context.ip === 'string' && context.ip.trim() !== '' ? context.ip : undefined;
    const user = text(context.userId);
    const device = text(context.deviceId);
    const id = ip
      ? `ip:${ipGroup(ip, ipv6PrefixLength)}`
      : user
        ? `user:${user}`
        : device
          ? `dev:${device}`
          : undefined;
    if (id !== undefined) req = hmac(key, 'conversion-requester', id).slice(0, CONV_TAG);
  }
  req ??= phoneKey.slice(CONV_TAG, 2 * CONV_TAG);
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
export function prefixHash(key: Buffer, n: SplitNumber, trailingDigits: number): string {
  return hmac(key, 'prefix', prefixOf(n, trailingDigits)).slice(0, 32);
}

/** Prefix hashes kept per verifier (a prefix is shared by many numbers). */
const PREFIX_HASHES = 4096;

/**
 * `prefixHash` under one key, remembering the most recent prefixes: a start and its approval
 * need the same hashes, and so do the other numbers of a busy prefix. The prefixes are held
 * in process memory only (as the parsed numbers are), never in the store.
 */
export function prefixHasher(key: Buffer): (n: SplitNumber, trailingDigits: number) => string {
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
export function prefixKey(key: Buffer, n: SplitNumber, trailingDigits: number): string {
  return prefixKeyOf(prefixHash(key, n, trailingDigits), trailingDigits);
}

/** The store key of a prefix's conversion record. */
export function conversionPrefixKey(key: Buffer, n: SplitNumber, trailingDigits: number): string {
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
export const namespaceOf = (key: Buffer) => hmac(key, 'namespace').slice(0, 8);

export const countryCapKey = (ns: string, country: string) => `cc:${ns}:${country}`;
export const conversionCountryKey = (ns: string, country: string) => `conv:cc:${ns}:${country}`;
export const globalKey = (ns: string) => `global:${ns}:day`;
