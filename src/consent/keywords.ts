/**
 * Inbound SMS keywords (CTIA handbook; FCC 24-24 "reasonable means" words): the whole
 * message, in any case, with surrounding spaces and punctuation, is one keyword or nothing.
 * @module
 */

/** What an inbound keyword asks for. */
export type KeywordAction = 'opt_out' | 'opt_in' | 'help';

/** Every recognized keyword (normalized form) and what it does. */
export const consentKeywords: Readonly<Record<string, KeywordAction>> = Object.freeze({
  STOP: 'opt_out',
  STOPALL: 'opt_out',
  'STOP ALL': 'opt_out',
  UNSUBSCRIBE: 'opt_out',
  CANCEL: 'opt_out',
  END: 'opt_out',
  QUIT: 'opt_out',
  REVOKE: 'opt_out',
  'OPT OUT': 'opt_out',
  OPTOUT: 'opt_out',
  START: 'opt_in',
  UNSTOP: 'opt_in',
  YES: 'opt_in',
  HELP: 'help',
  INFO: 'help',
});

/** Longest message worth normalizing: anything longer is not a keyword. */
const MAX_KEYWORD_MESSAGE = 160;

/**
 * Normalizes a message for keyword matching: Unicode compatibility form (full-width letters
 * become ASCII), upper case, no leading or trailing spaces, punctuation or symbols, and runs
 * of spaces, hyphens, underscores or dots inside collapsed to one space (`opt-out` = `OPT OUT`).
 */
export function normalizeKeyword(text: string): string {
  return text
    .normalize('NFKC')
    .toUpperCase()
    .replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, '')
    .replace(/[\s\-_.]+/g, ' ');
}

/** The keyword a whole inbound message is, and its action; undefined when it is not one. */
export function parseKeyword(
  text: string,
): { readonly keyword: string; readonly action: KeywordAction } | undefined {
  if (typeof text !== 'string' || text.length > MAX_KEYWORD_MESSAGE) return undefined;
  const keyword = normalizeKeyword(text);
  const action = Object.hasOwn(consentKeywords, keyword) ? consentKeywords[keyword] : undefined;
  return action ? { keyword, action } : undefined;
}
