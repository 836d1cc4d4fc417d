/**
 * Public option types of the abuse defenses (`createVerifier({ abuse, testNumbers })`).
 * Every duration is in milliseconds. `docs/abuse.md` describes each defense and its default.
 * @module
 */
import type { PhoneNumberType } from 'libphonenumber-js';
import type { Limit } from './window';

export type { Limit } from './window';

/** Budgets for one kind of requester key. An empty list disables that budget. */
export interface RequesterBudget {
  /** Distinct phone numbers messaged per window. */
  readonly destinations?: readonly Limit[];
  /** Messages (starts and resends) per window. */
  readonly sends?: readonly Limit[];
  /** Code checks per window. */
  readonly checks?: readonly Limit[];
}

/** Requester budgets, keyed by the `context` of each call. `false` disables a key kind. */
export interface RequesterOptions {
  /** `context.ip`; IPv6 addresses are grouped by `ipv6PrefixLength`. */
  readonly ip?: RequesterBudget | false;
  readonly deviceId?: RequesterBudget | false;
  readonly userId?: RequesterBudget | false;
  /** IPv6 addresses sharing this many leading bits are one requester (default 64). */
  readonly ipv6PrefixLength?: number;
}

/**
 * Velocity per destination prefix: numbers that differ only in their last `trailingDigits`
 * digits share a prefix (country calling code plus the leading national digits). At most
 * `max` distinct numbers of a prefix that have not verified yet are messaged per window; a
 * number stops counting once it verifies.
 */
export interface PrefixLimit extends Limit {
  readonly trailingDigits: number;
}

export interface CountryOptions {
  /**
   * ISO alpha-2 countries accepted (others: `country_not_allowed`).
   * @deprecated Use the top-level `allowedCountries`, which this spelling is read as (giving
   * both with different countries throws at construction).
   */
  readonly allow?: readonly string[];
  /** ISO alpha-2 countries refused. */
  readonly deny?: readonly string[];
  /** Messages per rolling hour per country; key `*` applies to every other country. */
  readonly hourlyCaps?: Readonly<Record<string, number>>;
}

export interface GlobalBudgetOptions {
  /** Messages (starts and resends) per rolling 24 hours, all destinations together. */
  readonly messagesPerDay?: number;
  /** Cost per rolling 24 hours, in the unit of `prices`. */
  readonly costPerDay?: number;
  /** Price of one message per ISO country, e.g. `{ US: 0.0079, GB: 0.04 }`. */
  readonly prices?: Readonly<Record<string, number>>;
  /** Price of countries missing from `prices` (default: the highest price listed). */
  readonly defaultPrice?: number;
  /** Fraction of a budget at which `abuse.budget_warning` is published (default 0.8). */
  readonly warnAt?: number;
}

export type ConversionScope = 'prefix' | 'country';

/**
 * The conversion guard: when approvals divided by verifications started stays below
 * `threshold` for a prefix or country over `windowMs` with at least `minSends` started, new
 * verifications there pause for `pauseMs` (growing by `pauseFactor` up to `maxPauseMs`);
 * after a pause, `probes` verifications test whether conversion recovered.
 */
export interface ConversionOptions {
  readonly scopes?: readonly ConversionScope[];
  /** The prefix the guard watches (default 6: blocks of a million numbers). */
  readonly trailingDigits?: number;
  readonly windowMs?: number;
  readonly threshold?: number;
  readonly minSends?: { readonly prefix?: number; readonly country?: number };
  /**
   * Distinct requesters (IP groups; else user or device ids) whose unconverted verifications
   * a pause needs (default 10): fewer cannot pause a prefix or a country for everyone.
   */
  readonly minRequesters?: number;
  /** Verifications younger than this are not judged yet (their users may still type the code). */
  readonly graceMs?: number;
  readonly pauseMs?: number;
  readonly pauseFactor?: number;
  readonly maxPauseMs?: number;
  readonly probes?: number;
}

/** A function returning a number's type, e.g. from your own libphonenumber-js `max` build. */
export type NumberTypeOf = (e164: string) => PhoneNumberType | undefined;

/**
 * Number-type checks. Types need libphonenumber-js `max` or `mobile` metadata, which the
 * default bundle leaves out: pass it (`import metadata from 'libphonenumber-js/metadata.max.json'`)
 * or your own `typeOf`.
 */
export interface NumberTypeOptions {
  readonly metadata?: object;
  readonly typeOf?: NumberTypeOf;
  /** Refused on every channel (default `['PREMIUM_RATE', 'SHARED_COST']`). */
  readonly deny?: readonly PhoneNumberType[];
  /** Also refused for SMS and WhatsApp, e.g. `['VOIP', 'FIXED_LINE']` (default none). */
  readonly denyForSms?: readonly PhoneNumberType[];
  /**
   * SMS and WhatsApp only to these types, e.g. `['MOBILE', 'FIXED_LINE_OR_MOBILE']`; a number of unknown
   * type is refused too. Works with `mobile` metadata, which only knows mobile numbers.
   */
  readonly onlyForSms?: readonly PhoneNumberType[];
}

export interface AbuseOptions {
  /** Budgets per requester (on by default); `false` disables them all. */
  readonly requesters?: RequesterOptions | false;
  /** Prefix velocity (on by default); `false` or `[]` disables it. */
  readonly prefixes?: readonly PrefixLimit[] | false;
  /** Country allow / deny lists and hourly caps (off by default). */
  readonly countries?: CountryOptions;
  /** Number-type checks (off by default: they need `max` metadata). */
  readonly numberTypes?: NumberTypeOptions;
  /** Global message or cost budget (off by default). */
  readonly global?: GlobalBudgetOptions;
  /** The conversion guard (on by default); `false` disables it. */
  readonly conversion?: ConversionOptions | false;
}

/** A test number's fixed code, with an optional end date (after it, the number is ordinary). */
export type TestNumber =
  | string
  | { readonly code: string; readonly expiresAt?: Date | string | number };
