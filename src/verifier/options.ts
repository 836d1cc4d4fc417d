/**
 * The verifier's own options, validated once at construction (each feature validates its
 * own: `proof`, `testNumbers`, `abuse`; `consent(...)` and `totp(...)` when they are called).
 * Throws on misconfiguration.
 * @internal
 * @module
 */
import { type Policy, resolvePolicy } from '../core/policy';
import { assertPolicyFloor } from '../core/strength';
import { localeOf } from '../feature/input';
import { ipv6PrefixOf } from '../feature/requester';
import { normalizePhone } from '../phone';
import type { Sender } from '../ports/sender';
import type { Store } from '../ports/store';
import { type Keyring, keyring } from '../secrets';
import { allowedCountriesOf } from './countries';
import type { VerifierOptions } from './types';

export interface CoreOptions {
  readonly ring: Keyring;
  readonly store: Store;
  readonly sender: Sender;
  readonly policy: Policy;
  readonly defaultLocale: string;
  readonly defaultCountry: string | undefined;
  readonly allowed: ReadonlySet<string> | undefined;
  readonly maskVisible: number;
  /** `abuse.requesters.ipv6PrefixLength`: how requesters' IPv6 addresses are grouped. */
  readonly ipv6Prefix: number;
}

/** Validates the options the verifier itself reads. */
export function coreOptions(options: VerifierOptions): CoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('phoneproof: createVerifier needs an options object.');
  }
  const ring = keyring(options.secret, options.lookupSecret);
  const { store, sender } = options;
  if (!store || typeof store.update !== 'function' || typeof store.get !== 'function') {
    throw new TypeError('phoneproof: `store` must implement the Store port (update, get).');
  }
  if (!sender || typeof sender.send !== 'function') {
    throw new TypeError('phoneproof: `sender` must implement the Sender port (send).');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new TypeError('phoneproof: `now` must be a function returning epoch milliseconds.');
  }
  const policy = resolvePolicy(options.policy);
  assertPolicyFloor(policy, options.unsafe);
  const defaultLocale = localeOf(options.defaultLocale, 'en');
  if (defaultLocale.isErr())
    throw new TypeError('phoneproof: `defaultLocale` is not a BCP 47 tag.');
  const defaultCountry = options.defaultCountry;
  if (defaultCountry !== undefined && normalizePhone('+12133734253', { defaultCountry }).isErr()) {
    throw new TypeError(`phoneproof: unknown defaultCountry "${defaultCountry}".`);
  }
  return {
    ring,
    store,
    sender,
    policy,
    defaultLocale: defaultLocale.value,
    defaultCountry,
    allowed: allowedCountriesOf(options),
    maskVisible: options.maskVisible ?? 2,
    ipv6Prefix: ipv6PrefixOf(options.abuse),
  };
}
