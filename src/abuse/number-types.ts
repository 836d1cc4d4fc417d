/**
 * `abuse.numberTypes`: which number types are refused (premium rate, shared cost, VoIP...),
 * from libphonenumber-js metadata with types or the application's own `typeOf`. Validated at
 * construction. @internal
 * @module
 */
import type { PhoneNumberType } from 'libphonenumber-js';
import { type MetadataJson, parsePhoneNumberWithError } from 'libphonenumber-js/core';
import type { AbuseOptions, NumberTypeOf } from './types';
import { fail } from './validate';

export interface ResolvedNumberTypes {
  readonly typeOf: NumberTypeOf;
  readonly deny: ReadonlySet<string>;
  readonly denyForSms: ReadonlySet<string>;
  readonly onlyForSms: ReadonlySet<string> | undefined;
}

const numberTypeNames = new Set<string>([
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
  'FIXED_LINE_OR_MOBILE',
  'FIXED_LINE',
  'MOBILE',
]);

function typeList(path: string, v: unknown): Set<string> {
  if (!Array.isArray(v) || !v.every((t) => typeof t === 'string' && numberTypeNames.has(t))) {
    fail(path, `must list number types among ${[...numberTypeNames].join(', ')}.`);
  }
  return new Set(v);
}

export function numberTypes(v: AbuseOptions['numberTypes']): ResolvedNumberTypes | undefined {
  if (v === undefined) return undefined;
  const { metadata, typeOf } = v;
  let f: NumberTypeOf;
  if (typeof typeOf === 'function') {
    f = (e164) => {
      try {
        return typeOf(e164);
      } catch {
        return undefined;
      }
    };
  } else if (typeof metadata === 'object' && metadata !== null && 'countries' in metadata) {
    const meta = metadata as MetadataJson;
    f = (e164) => {
      try {
        return parsePhoneNumberWithError(e164, meta).getType() as PhoneNumberType | undefined;
      } catch {
        return undefined;
      }
    };
  } else {
    fail(
      'numberTypes',
      "needs `metadata` (import metadata from 'libphonenumber-js/metadata.max.json') or `typeOf`.",
    );
  }
  if (typeOf === undefined && f('+447911123456') !== 'MOBILE') {
    fail(
      'numberTypes.metadata',
      "has no number types: use 'libphonenumber-js/metadata.max.json' or metadata.mobile.json.",
    );
  }
  return {
    typeOf: f,
    deny: typeList('numberTypes.deny', v.deny ?? ['PREMIUM_RATE', 'SHARED_COST']),
    denyForSms: typeList('numberTypes.denyForSms', v.denyForSms ?? []),
    onlyForSms:
      v.onlyForSms === undefined ? undefined : typeList('numberTypes.onlyForSms', v.onlyForSms),
  };
}
