/**
 * SMS encoding and segment counting (3GPP TS 23.038 / 23.040), so the cost of a message is
 * visible before it is sent: GSM-7 carries 160 characters in one segment and 153 per segment
 * when concatenated; any character outside GSM-7 switches the whole message to UCS-2, which
 * carries 70 UTF-16 units (67 per segment when concatenated).
 * @module
 */

/** The GSM 03.38 default alphabet (one septet each). */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** The GSM 03.38 extension table (escape + character: two septets each). */
const GSM_EXTENDED = '\f^{}\\[~]|€';

const basic = new Set(GSM_BASIC);
const extended = new Set(GSM_EXTENDED);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** What a rendered SMS costs. */
export interface SmsInfo {
  readonly encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text occupies. */
  readonly units: number;
  /** Segments billed (0 for an empty text). */
  readonly segments: number;
  /** Units that fit one segment at this length (160/153 or 70/67). */
  readonly perSegment: number;
  /** Characters that forced UCS-2 (distinct, in order of appearance); empty for GSM-7. */
  readonly nonGsmCharacters: readonly string[];
}

/** True when every character of `text` is in the GSM-7 alphabet (basic or extension). */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!basic.has(ch) && !extended.has(ch)) return false;
  return true;
}

/**
 * Packs `sizes` (units per character) into segments of at most `limit` units without splitting
 * a character (an escape pair or a surrogate pair stays in one segment).
 */
function pack(sizes: readonly number[], limit: number): number {
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > limit) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return segments;
}

/** Encoding, length and segment count of `text` as an SMS. */
export function smsInfo(text: string): SmsInfo {
  const chars = [...text];
  const nonGsm: string[] = [];
  for (const ch of chars) {
    if (!basic.has(ch) && !extended.has(ch) && !nonGsm.includes(ch)) nonGsm.push(ch);
  }
  const gsm = nonGsm.length === 0;
  const sizes = chars.map((ch) => (gsm ? (extended.has(ch) ? 2 : 1) : ch.length));
  const units = sizes.reduce((a, b) => a + b, 0);
  const single = gsm ? 160 : 70;
  const multi = gsm ? 153 : 67;
  const segments = units === 0 ? 0 : units <= single ? 1 : pack(sizes, multi);
  return {
    encoding: gsm ? 'GSM-7' : 'UCS-2',
    units,
    segments,
    perSegment: units <= single ? single : multi,
    nonGsmCharacters: nonGsm,
  };
}

/** Lookalikes for common characters outside GSM-7 (accented Latin letters, typography). */
const TRANSLITERATIONS: Readonly<Record<string, string>> = {
  á: 'a',
  â: 'a',
  ã: 'a',
  ā: 'a',
  ç: 'c',
  ê: 'e',
  ë: 'e',
  ē: 'e',
  í: 'i',
  î: 'i',
  ï: 'i',
  ó: 'o',
  ô: 'o',
  õ: 'o',
  ú: 'u',
  û: 'u',
  ý: 'y',
  ÿ: 'y',
  œ: 'oe',
  Á: 'A',
  À: 'A',
  Â: 'A',
  Ã: 'A',
  È: 'E',
  Ê: 'E',
  Ë: 'E',
  Í: 'I',
  Ì: 'I',
  Î: 'I',
  Ï: 'I',
  Ó: 'O',
  Ò: 'O',
  Ô: 'O',
  Õ: 'O',
  Ú: 'U',
  Ù: 'U',
  Û: 'U',
  Œ: 'OE',
  '\u2018': "'",
  '\u2019': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2026': '...',
  '\u00A0': ' ',
  '\u202F': ' ',
};

/**
 * Replaces accented letters and typographic punctuation by their closest GSM-7 characters,
 * so the message is billed at 160/153 characters a segment instead of 70/67. Returns `text`
 * unchanged when some character has no GSM-7 lookalike (e.g. Cyrillic or emoji): a
 * half-transliterated text would still be UCS-2 and harder to read.
 */
export function toGsm7(text: string): string {
  let out = '';
  for (const ch of text) {
    if (basic.has(ch) || extended.has(ch)) out += ch;
    else {
      const t = TRANSLITERATIONS[ch];
      if (t === undefined) return text;
      out += t;
    }
  }
  return out;
}
