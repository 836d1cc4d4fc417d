/**
 * The conversion record built field by field (`convWith`, src/abuse/requester-log.ts) is the
 * record the general way builds (`withRequesters({ ...r, b }, u, ex)`): the same fields, in
 * the same order, so the same stored text, for records with our fields only and for records
 * with fields of their own or in another order (which take the general way). The same for
 * the merged prefix record's velocity log (`withD`, src/abuse/prefix-guard.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withD } from '../../src/abuse/prefix-guard';
import { recordJson } from '../../src/abuse/record-json';
import type { ConversionRecord } from '../../src/abuse/records';
import { convWith, recordWithout, withRequesters } from '../../src/abuse/requester-log';

const num = fc.integer({ min: 0, max: 2_000_000_000_000 });
const log = fc.array(fc.tuple(fc.stringMatching(/^[\w-]{0,12}$/), num), { maxLength: 4 });
const tags = fc.array(fc.stringMatching(/^[\w-]{0,6}$/), { maxLength: 3 });
const buckets = fc.array(fc.tuple(num, num, num), { maxLength: 3 });

/** Conversion records, optional fields present or not, and at times out of order or extra. */
const record = fc
  .record(
    {
      b: buckets,
      until: num,
      pauses: fc.integer({ min: 0, max: 5 }),
      trippedAt: num,
      d: log,
      u: log,
      ex: tags,
      extra: fc.string(),
    },
    { requiredKeys: ['b', 'until', 'pauses', 'trippedAt'] },
  )
  .chain((fields) =>
    fc
      .shuffledSubarray(Object.keys(fields), { minLength: Object.keys(fields).length })
      .chain((order) =>
        fc.boolean().map((shuffle) => {
          const keys = shuffle ? order : Object.keys(fields);
          const out: Record<string, unknown> = { v: 1, k: 'conv' };
          for (const k of keys) out[k] = (fields as Record<string, unknown>)[k];
          return out as unknown as ConversionRecord;
        }),
      ),
  );

describe('convWith', () => {
  it('gives the record (fields, order, text) that a spread and withRequesters give', () => {
    fc.assert(
      fc.property(record, buckets, log, tags, (r, b, u, ex) => {
        const general = withRequesters({ ...r, b }, u, ex);
        const built = convWith(r, b, u, ex);
        expect(Object.keys(built)).toEqual(Object.keys(general));
        expect(built).toEqual(general);
        expect(recordJson(built)).toBe(recordJson(general));
        expect(recordJson(built)).toBe(JSON.stringify(general));
      }),
      { numRuns: 500 },
    );
  });
});

/** `withD` as it was before its field-by-field path (the reference). */
function withDByCopy(r: ConversionRecord, d: ConversionRecord['u'] & {}): ConversionRecord {
  const out = recordWithout(r, 'd', 'u', 'ex');
  out.d = d;
  if (r.u !== undefined) out.u = r.u;
  if (r.ex !== undefined) out.ex = r.ex;
  return out;
}

describe('withD', () => {
  it('gives the record (fields, order, text) that the general way gives', () => {
    fc.assert(
      fc.property(record, log, (r, d) => {
        const general = withDByCopy(r, d);
        const built = withD(r, d);
        expect(Object.keys(built)).toEqual(Object.keys(general));
        expect(built).toEqual(general);
        expect(recordJson(built)).toBe(JSON.stringify(general));
      }),
      { numRuns: 500 },
    );
  });
});
