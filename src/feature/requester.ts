/**
 * The requester identity of a call, derived once per operation from its context: the IP
 * group (IPv4 as is, IPv6 cut to `abuse.requesters.ipv6PrefixLength` bits, /64 by default),
 * the device id and the user id, each normalized one way. Everything that tells requesters
 * apart reads this one value:
 * - the verification binding (`requesterTag`): the first of the binding IP group (IPv6 by
 *   its /64 always: a wide budget grouping must not widen who owns a verification), device
 *   id, user id;
 * - the idempotency scope (`src/abuse/idempotency.ts`): the user id, else IP group and
 *   device id together;
 * - the conversion guard (`src/abuse/keys.ts`): IP group, else user id, else device id;
 * - the requester budgets (`src/abuse/keys.ts`): one key per field present.
 * The three precedences differ on purpose and are documented (docs/configuration.md,
 * docs/threat-model.md, docs/abuse.md); the identity they choose from is the same.
 * @module
 */
import { ANONYMOUS } from '../core/state';
import { hmac, type Keyring, subkey } from '../secrets';
import type { RequestContext } from './operation-types';

/** Longest context value used as a requester key (longer values are cut). */
export const MAX_REQUESTER_VALUE = 512;
/** IPv6 addresses are grouped by their /64 (one subscriber's network) unless configured. */
export const DEFAULT_IPV6_PREFIX = 64;
/** The binding's IPv6 grouping, fixed: one subscriber's network (not the budgets' setting). */
export const BINDING_IPV6_PREFIX = 64;

export interface Requester {
  /** The IP group: `1.2.3.4`, `2001:db8:1:2:0:0:0:0/64`, or `raw:<text>` for other text. */
  readonly ip: string | undefined;
  /**
   * The IP group the verification binding uses: IPv6 by its /64 (`BINDING_IPV6_PREFIX`),
   * whatever `ipv6PrefixLength` the budgets group by; IPv4 as is.
   */
  readonly bindingIp: string | undefined;
  readonly deviceId: string | undefined;
  readonly userId: string | undefined;
}

/** The anonymous requester (a call without context, or with none of the three fields). */
export const NO_REQUESTER: Requester = Object.freeze({
  ip: undefined,
  bindingIp: undefined,
  deviceId: undefined,
  userId: undefined,
});

/** A context id as a requester value: finite numbers as text, non-blank strings cut. */
function idOf(x: unknown): string | undefined {
  if (typeof x === 'number' && Number.isFinite(x)) return String(x);
  return typeof x === 'string' && x.trim() !== '' ? x.slice(0, MAX_REQUESTER_VALUE) : undefined;
}

/** The requester identity of a call's context. */
export function requesterOf(context: unknown, ipv6PrefixLength: number): Requester {
  if (typeof context !== 'object' || context === null) return NO_REQUESTER;
  const c = context as RequestContext;
  const hasIp = typeof c.ip === 'string' && c.ip.trim() !== '';
  const ip = hasIp ? ipGroup(c.ip as string, ipv6PrefixLength) : undefined;
  const deviceId = idOf(c.deviceId);
  const userId = idOf(c.userId);
  if (ip === undefined && deviceId === undefined && userId === undefined) return NO_REQUESTER;
  const bindingIp =
    hasIp && ipv6PrefixLength !== BINDING_IPV6_PREFIX
      ? ipGroup(c.ip as string, BINDING_IPV6_PREFIX)
      : ip;
  return { ip, bindingIp, deviceId, userId };
}

/** The `abuse.requesters.ipv6PrefixLength` in force (validated by the abuse options). */
export function ipv6PrefixOf(abuse: unknown): number {
  if (typeof abuse !== 'object' || abuse === null) return DEFAULT_IPV6_PREFIX;
  const r = (abuse as { requesters?: unknown }).requesters;
  if (typeof r !== 'object' || r === null) return DEFAULT_IPV6_PREFIX;
  const n = (r as { ipv6PrefixLength?: unknown }).ipv6PrefixLength;
  return typeof n === 'number' ? n : DEFAULT_IPV6_PREFIX;
}

const tagKeys = new WeakMap<Keyring, Uint8Array>();

/**
 * The verification binding: a short keyed hash of the first of the IP group, user id and
 * device id (`<kind>.<16 hex digits>`), or `ANONYMOUS`. The user id before the device id: the
 * app authenticated the user, while a device id is the client's own choice, so another
 * signed-in user sending the same device id must not share the binding. Recorded on the verifications a
 * requester starts; only the same tag may check, resend or cancel them.
 */
export function requesterTag(ring: Keyring, r: Requester): string {
  const [kind, id] =
    r.bindingIp !== undefined
      ? ['ip', r.bindingIp]
      : r.userId !== undefined
        ? ['user', r.userId]
        : r.deviceId !== undefined
          ? ['dev', r.deviceId]
          : [undefined, undefined];
  if (kind === undefined) return ANONYMOUS;
  let key = tagKeys.get(ring);
  if (key === undefined) {
    key = subkey(ring.lookup, 'requester');
    tagKeys.set(ring, key);
  }
  return `${kind}.${hmac(key, 'requester', kind, id).slice(0, 16)}`;
}

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
  if (!g) return `raw:${s.slice(0, MAX_REQUESTER_VALUE)}`;
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
