/** The JSV reader and writer of examples/phone-verification-request (ServiceStack's text format). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSV_DEPTH, readJsv, writeJsv } from '../../examples/phone-verification-request/jsv';

describe('readJsv / writeJsv', () => {
  it("reads the format's documented examples", () => {
    expect(readJsv('{A:1,B:2,C:3,D:4}')).toEqual({ value: { A: '1', B: '2', C: '3', D: '4' } });
    expect(readJsv('[1,2,3,4,5]')).toEqual({ value: ['1', '2', '3', '4', '5'] });
    expect(readJsv('{Foo:Bar,Greet:Hello World!}')).toEqual({
      value: { Foo: 'Bar', Greet: 'Hello World!' },
    });
    expect(readJsv('{Name:"Me, Junior"}')).toEqual({ value: { Name: 'Me, Junior' } });
    expect(readJsv('{Size:"2"" x 1"""}')).toEqual({ value: { Size: '2" x 1"' } });
    expect(readJsv('{\n\ta: 1,\n\tb: \n\t{\n\t\tc: x\n\t},\n\tl: [ p , q ]\n}')).toEqual({
      value: { a: '1', b: { c: 'x' }, l: ['p', 'q'] },
    });
    expect(readJsv('{a:,b:""}')).toEqual({ value: { a: null, b: '' } });
  });

  it('refuses malformed documents with where', () => {
    const nested = `${'{a:'.repeat(MAX_JSV_DEPTH + 1)}1${'}'.repeat(MAX_JSV_DEPTH + 1)}`;
    for (const bad of [
      '{a:1',
      '{a:"x}',
      '{a:1}}',
      '{a:1,a:2}',
      '{constructor:1}',
      '[1,2',
      '{a:b{c}}',
      nested,
    ]) {
      expect(readJsv(bad), bad).toMatch(/^The body is not valid JSV: .* at character \d+\.$/);
    }
  });

  it('reads back what it writes; never throws', () => {
    const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,6}$/);
    const text = fc.string({ maxLength: 20 }).filter((s) => s.trim() === s && s !== '');
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(key, tie('v'), { maxKeys: 3 }),
      ),
    })).v;
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 5 }), (obj) => {
        expect(readJsv(writeJsv(obj))).toEqual({ value: obj });
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const r = readJsv(s);
        expect(typeof r === 'string' || 'value' in r).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
