/**
 * The abuse defenses' defaults and their validation (misconfiguration throws once, at
 * construction). @internal
 * @module
 */
import { abuseDefaults, DAY, MAX_DURATION, type RequesterField, requesterKinds } from './defaults';
import { numberTypes, type ResolvedNumberTypes } from './number-types';
import type { AbuseOptions, ConversionScope, PrefixLimit, RequesterBudget } from './types';
import { fail, int, limits, num } from './validate';
import type { Limit } from './window';

export interface ResolvedBudget {
  readonly destinations: readonly Limit[];
  readonly sends: readonly Limit[];
  readonly checks: readonly Limit[];
}

export interface ResolvedConversion {
  readonly scopes: ReadonlySet<ConversionScope>;
  readonly trailingDigits: number;
  readonly windowMs: number;
  readonly threshold: number;
  readonly minSends: { readonly prefix: number; readonly country: number };
  readonly minRequesters: number;
  readonly graceMs: number;
  readonly pauseMs: number;
  readonly pauseFactor: number;
  readonly maxPauseMs: number;
  readonly probes: number;
}

export interface ResolvedGlobal {
  readonly messagesPerDay: number | undefined;
  /** In millionths of the price unit (integers add exactly). */
  readonly costPerDay: number | undefined;
  priceOf(country: string): number;
  readonly warnAt: number;
}

export interface ResolvedAbuse {
  readonly requesters: ReadonlyMap<RequesterField, ResolvedBudget>;
  readonly ipv6PrefixLength: number;
  readonly prefixes: readonly PrefixLimit[];
  readonly deny: ReadonlySet<string>;
  readonly hourlyCaps: ReadonlyMap<string, number>;
  readonly numberTypes: ResolvedNumberTypes | undefined;
  readonly global: ResolvedGlobal | undefined;
  readonly conversion: ResolvedConversion | undefined;
}

function countries(path: string, v: unknown): Set<string> {
  if (!Array.isArray(v) || !v.every((c) => typeof c === 'string' && /^[A-Za-z]{2}$/.test(c))) {
    fail(path, 'must be an array of ISO 3166-1 alpha-2 codes.');
  }
  return new Set(v.map((c: string) => c.toUpperCase()));
}

function budget(path: string, v: RequesterBudget | false | undefined, d: RequesterBudget) {
  if (v === false) return undefined;
  if (v !== undefined && (typeof v !== 'object' || v === null)) fail(path, 'must be an object.');
  return {
    destinations: limits(`${path}.destinations`, v?.destinations ?? d.destinations),
    sends: limits(`${path}.sends`, v?.sends ?? d.sends),
    checks: limits(`${path}.checks`, v?.checks ?? d.checks),
  };
}

function prefixes(v: AbuseOptions['prefixes']): PrefixLimit[] {
  if (v === false) return [];
  const list = v ?? abuseDefaults.prefixes;
  if (!Array.isArray(list)) fail('prefixes', 'must be an array or false.');
  return list.map((p: Partial<PrefixLimit>, i) => ({
    trailingDigits: int(`prefixes[${i}].trailingDigits`, p?.trailingDigits, 1, 12),
    ...limits(`prefixes[${i}]`, [p])[0]!,
  }));
}

/** Largest `conversion.minRequesters` (it sizes the record's requester log). */
const MAX_MIN_REQUESTERS = 100;

function conversion(v: AbuseOptions['conversion']): ResolvedConversion | undefined {
  if (v === false) return undefined;
  if (v !== undefined && (typeof v !== 'object' || v === null)) {
    fail('conversion', 'must be an object or false.');
  }
  const d = abuseDefaults.conversion;
  const scopes = v?.scopes ?? d.scopes;
  if (!Array.isArray(scopes) || !scopes.every((s) => s === 'prefix' || s === 'country')) {
    fail('conversion.scopes', 'must list "prefix" and/or "country".');
  }
  const pauseMs = int('conversion.pauseMs', v?.pauseMs ?? d.pauseMs, 1000, MAX_DURATION);
  return {
    scopes: new Set(scopes),
    trailingDigits: int('conversion.trailingDigits', v?.trailingDigits ?? d.trailingDigits, 1, 12),
    windowMs: int('conversion.windowMs', v?.windowMs ?? d.windowMs, 60_000, MAX_DURATION),
    threshold: num('conversion.threshold', v?.threshold ?? d.threshold, 0, 1),
    minSends: {
      prefix: int('conversion.minSends.prefix', v?.minSends?.prefix ?? d.minSends.prefix, 1, 1e6),
      country: int(
        'conversion.minSends.country',
        v?.minSends?.country ?? d.minSends.country,
        1,
        1e6,
      ),
    },
    minRequesters: int(
      'conversion.minRequesters',
      v?.minRequesters ?? d.minRequesters,
      1,
      MAX_MIN_REQUESTERS,
    ),
    graceMs: int('conversion.graceMs', v?.graceMs ?? d.graceMs, 1000, DAY),
    pauseMs,
    pauseFactor: num('conversion.pauseFactor', v?.pauseFactor ?? d.pauseFactor, 1, 100),
    maxPauseMs: int(
      'conversion.maxPauseMs',
      v?.maxPauseMs ?? Math.max(d.maxPauseMs, pauseMs),
      pauseMs,
      MAX_DURATION,
    ),
    probes: int('conversion.probes', v?.probes ?? d.probes, 1, 1000),
  };
}

const MICRO = 1_000_000;

function global(v: AbuseOptions['global']): ResolvedGlobal | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null) fail('global', 'must be an object.');
  const messagesPerDay =
    v.messagesPerDay === undefined
      ? undefined
      : int('global.messagesPerDay', v.messagesPerDay, 1, 1e9);
  const cost =
    v.costPerDay === undefined ? undefined : num('global.costPerDay', v.costPerDay, 0, 1e12);
  const prices = new Map<string, number>();
  for (const [cc, p] of Object.entries(v.prices ?? {})) {
    if (!/^[A-Za-z]{2}$/.test(cc)) fail(`global.prices.${cc}`, 'is not an ISO alpha-2 country.');
    prices.set(cc.toUpperCase(), Math.round(num(`global.prices.${cc}`, p, 0, 1e6) * MICRO));
  }
  const fallback =
    v.defaultPrice !== undefined
      ? Math.round(num('global.defaultPrice', v.defaultPrice, 0, 1e6) * MICRO)
      : prices.size > 0
        ? Math.max(...prices.values())
        : undefined;
  if (cost !== undefined && fallback === undefined) {
    fail('global.costPerDay', 'needs `prices` or `defaultPrice`.');
  }
  if (messagesPerDay === undefined && cost === undefined) {
    fail('global', 'needs `messagesPerDay` and/or `costPerDay`.');
  }
  return {
    messagesPerDay,
    costPerDay: cost === undefined ? undefined : Math.round(cost * MICRO),
    priceOf: (country) => prices.get(country) ?? fallback ?? 0,
    warnAt: num('global.warnAt', v.warnAt ?? abuseDefaults.warnAt, 0.01, 1),
  };
}

/** Resolves `abuse` options over the defaults; `false` turns every defense off. Throws on misconfiguration. */
export function resolveAbuse(options: AbuseOptions | false | undefined): ResolvedAbuse {
  const o: AbuseOptions =
    options === false ? { requesters: false, prefixes: false, conversion: false } : (options ?? {});
  if (typeof o !== 'object' || o === null)
    throw new TypeError('phoneproof: `abuse` must be an object or false.');
  const requesters = new Map<RequesterField, ResolvedBudget>();
  let ipv6PrefixLength: number = abuseDefaults.requesters.ipv6PrefixLength;
  if (o.requesters !== false) {
    const r = o.requesters ?? {};
    if (typeof r !== 'object' || r === null) fail('requesters', 'must be an object or false.');
    for (const { field } of requesterKinds) {
      const b = budget(`requesters.${field}`, r[field], abuseDefaults.requesters[field]);
      if (b) requesters.set(field, b);
    }
    ipv6PrefixLength = int(
      'requesters.ipv6PrefixLength',
      r.ipv6PrefixLength ?? ipv6PrefixLength,
      16,
      128,
    );
  }
  const c = o.countries ?? {};
  const hourlyCaps = new Map<string, number>();
  for (const [cc, cap] of Object.entries(c.hourlyCaps ?? {})) {
    if (cc !== '*' && !/^[A-Za-z]{2}$/.test(cc))
      fail(`countries.hourlyCaps.${cc}`, 'is not an ISO alpha-2 country or "*".');
    hourlyCaps.set(cc.toUpperCase(), int(`countries.hourlyCaps.${cc}`, cap, 0, 1e9));
  }
  return {
    requesters,
    ipv6PrefixLength,
    prefixes: prefixes(o.prefixes),
    deny: c.deny === undefined ? new Set() : countries('countries.deny', c.deny),
    hourlyCaps,
    numberTypes: numberTypes(o.numberTypes),
    global: global(o.global),
    conversion: conversion(o.conversion),
  };
}
