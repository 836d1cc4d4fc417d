/**
 * The requester of a call: a short keyed hash of its requester key, recorded on the
 * verifications it starts and used to account its sends and failures per phone (see
 * `src/core/requesters.ts`). The key is the first of the context's IP group (IPv4, or the
 * IPv6 /64), device id and user id, derived as the abuse budgets derive theirs but under a
 * subkey of its own; a call without any of them is the anonymous requester. No address or
 * id is stored, only 16 hex digits of the HMAC. @internal
 * @module
 */
import type { RequesterField } from '../abuse/defaults';
import { requesterKeys } from '../abuse/keys';
import { ANONYMOUS } from '../core/state';
import { type Keyring, subkey } from '../secrets';
import type { RequestContext } from './types';

/** IPv6 addresses are grouped by their /64 (one subscriber's network). */
const IPV6_PREFIX = 64;
const FIELDS: ReadonlySet<RequesterField> = new Set<RequesterField>(['ip', 'deviceId', 'userId']);
const keys = new WeakMap<Keyring, Buffer>();

/** The requester's keyed hash for a call's context (`ANONYMOUS` without a requester key). */
export function requesterTag(ring: Keyring, context: unknown): string {
  if (typeof context !== 'object' || context === null) return ANONYMOUS;
  let key = keys.get(ring);
  if (key === undefined) {
    key = subkey(ring.lookup, 'requester');
    keys.set(ring, key);
  }
  const first = requesterKeys(key, context as RequestContext, FIELDS, IPV6_PREFIX)[0];
  if (first === undefined) return ANONYMOUS;
  // `req:<kind>:<hash>` → `<kind>.<16 hex digits>`
  const [, kind, hash] = first[1].split(':');
  return `${kind}.${(hash ?? '').slice(0, 16)}`;
}
