/** Inbound keyword parsing: the CTIA / FCC 24-24 table, whole message, any case, punctuation. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consentKeywords, parseKeyword } from '../../src/consent/keywords';

const OPT_OUT = [
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPT OUT',
  'OPTOUT',
];
const OPT_IN = ['START', 'UNSTOP', 'YES'];
const HELP = ['HELP', 'INFO'];

describe('parseKeyword', () => {
  it('knows every keyword the issue lists, and nothing it does not', () => {
    for (const k of OPT_OUT) expect(parseKeyword(k), k).toEqual({ keyword: k, action: 'opt_out' });
    for (const k of OPT_IN) expect(parseKeyword(k), k).toEqual({ keyword: k, action: 'opt_in' });
    for (const k of HELP) expect(parseKeyword(k), k).toEqual({ keyword: k, action: 'help' });
    const extra = Object.keys(consentKeywords).filter(
      (k) => ![...OPT_OUT, ...OPT_IN, ...HELP].includes(k),
    );
    expect(extra).toEqual(['STOP ALL']);
  });

  it.each([
    ['stop', 'STOP'],
    ['  Stop  ', 'STOP'],
    ['STOP!', 'STOP'],
    ['"stop."', 'STOP'],
    ['¡stop!', 'STOP'],
    ['stop 🙏', 'STOP'],
    ['\tunsubscribe\n', 'UNSUBSCRIBE'],
    ['opt out', 'OPT OUT'],
    ['Opt-Out', 'OPT OUT'],
    ['opt   out', 'OPT OUT'],
    ['OptOut', 'OPTOUT'],
    ['ＳＴＯＰ', 'STOP'],
    ['help?', 'HELP'],
    ['Start.', 'START'],
  ])('%j is %s', (text, keyword) => {
    expect(parseKeyword(text)?.keyword).toBe(keyword);
  });

  it.each([
    'please stop',
    'stop it',
    'stopp',
    'don’t stop',
    'STOP STOP',
    'yes please',
    '',
    '   ',
    '!!!',
    's t o p',
  ])('%j is not a keyword (the whole message must be one)', (text) => {
    expect(parseKeyword(text)).toBeUndefined();
  });

  it('never throws, and is case-insensitive for every keyword', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        parseKeyword(s);
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(consentKeywords)),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        fc.constantFrom('', ' ', '!', '.', '  ?'),
        (k, upper, pad) => {
          const mixed = [...k]
            .map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase()))
            .join('');
          expect(parseKeyword(`${pad}${mixed}${pad}`)?.keyword).toBe(k);
        },
      ),
    );
  });
});
