/** Abuse records: decoding, including the long records decoded from memory. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AbuseRecord,
  type ConversionRecord,
  decodeRecord,
  recordJson,
  writeRecord,
} from '../../src/abuse/records';
import { CorruptRecordError } from '../../src/core/state';

const empty: ConversionRecord = { v: 1, k: 'conv', b: [], until: 0, pauses: 0, trippedAt: 0 };
const day: ConversionRecord = {
  ...empty,
  // A day of 15-minute buckets: a long record, kept decoded once written.
  b: Array.from({ length: 96 }, (_, i) => [1_700_000_000_000 + i * 900_000, 40 + i, 7] as const),
  d: [['tag-0123456789ab', 1_700_000_000_000]],
};

describe('decodeRecord', () => {
  it('reads back what writeRecord wrote, short or long', () => {
    for (const r of [empty, day, { ...day, b: day.b.slice(0, 1) }]) {
      const w = writeRecord(r, 60_000);
      if (!('value' in w)) throw new Error('expected a value');
      expect(decodeRecord(w.value, 'conv', empty)).toEqual(JSON.parse(w.value));
      // The same text from another source (a network store) decodes the same.
      expect(decodeRecord(` ${w.value}`.slice(1), 'conv', empty)).toEqual(JSON.parse(w.value));
    }
  });

  it('refuses a long record of another kind or a damaged one, even right after writing it', () => {
    const w = writeRecord(day, 60_000);
    if (!('value' in w)) throw new Error('expected a value');
    expect(() => decodeRecord(w.value, 'pfx', { v: 1, k: 'pfx', d: [] })).toThrow(
      CorruptRecordError,
    );
    const damaged = w.value.replace('"d":[[', '"d":[[1,');
    expect(() => decodeRecord(damaged, 'conv', empty)).toThrow(CorruptRecordError);
    expect(() => decodeRecord(w.value.replace('"k":"conv"', '"k":"cc"'), 'conv', empty)).toThrow(
      CorruptRecordError,
    );
  });

  it('deletes a record with nothing left to keep', () => {
    expect(writeRecord(empty, 0)).toEqual({ delete: true });
  });
});

describe('recordJson', () => {
  const num = fc.oneof(
    fc.integer({ min: 0, max: 4_000_000_000_000 }),
    fc.double({ noNaN: false }),
    fc.constantFrom(-0, Number.POSITIVE_INFINITY),
  );
  const tag = fc.oneof(fc.base64String(), fc.string(), fc.stringMatching(/^[\w-]{16}$/));
  const log = fc.array(fc.tuple(tag, num), { maxLength: 6 });
  const conv = fc.record(
    {
      v: fc.constant(1 as const),
      k: fc.constant('conv' as const),
      b: fc.array(fc.tuple(num, num, num), { maxLength: 6 }),
      until: num,
      pauses: num,
      trippedAt: num,
      d: log,
      u: log,
      ex: fc.array(tag, { maxLength: 4 }),
    },
    { requiredKeys: ['v', 'k', 'b', 'until', 'pauses', 'trippedAt'] },
  );
  const pfx = fc.record({ v: fc.constant(1 as const), k: fc.constant('pfx' as const), d: log });
  const lists = fc.array(fc.array(fc.tuple(num, num), { maxLength: 4 }), { maxLength: 3 });
  const req = fc.record({
    v: fc.constant(1 as const),
    k: fc.constant('req' as const),
    d: log,
    s: lists,
    c: lists,
  });

  it('writes exactly what JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.oneof(conv, pfx, req), (r) => {
        expect(recordJson(r as AbuseRecord)).toBe(JSON.stringify(r));
      }),
      { numRuns: 500 },
    );
    // Fields of another version are kept.
    const extra = { ...empty, x: [1] } as unknown as AbuseRecord;
    expect(recordJson(extra)).toBe(JSON.stringify(extra));
    // Our fields in another order: JSON.stringify's order.
    const shuffled = { ...empty, ex: ['a'], u: [['t', 1]] } as unknown as AbuseRecord;
    expect(recordJson(shuffled)).toBe(JSON.stringify(shuffled));
    const reqOrder = { v: 1, k: 'req', c: [[[1, 2]]], d: [], s: [] } as unknown as AbuseRecord;
    expect(recordJson(reqOrder)).toBe(JSON.stringify(reqOrder));
    const reqExtra = { v: 1, k: 'req', d: [], s: [], c: [], x: 1 } as unknown as AbuseRecord;
    expect(recordJson(reqExtra)).toBe(JSON.stringify(reqExtra));
  });
});
