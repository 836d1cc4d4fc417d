/**
 * Voice scripts. A voice message's text is plain lines: each line is spoken, with a pause
 * between lines (adapters turn line breaks into TwiML `<Pause>` or SSML `<break>`). The code
 * is read character by character, each followed by a full stop so that text-to-speech
 * engines pause between digits, and repeated a configurable number of times.
 * @module
 */

/** Fewest and most times a voice call reads the code. */
export const MIN_VOICE_REPEAT = 1;
export const MAX_VOICE_REPEAT = 10;
export const DEFAULT_VOICE_REPEAT = 3;

/** "1. 2. 3. 4. 5. 6." — one character at a time, with a pause after each. */
export function spokenCode(code: string): string {
  return [...code].map((c) => `${c}.`).join(' ');
}

/** Throws (misconfiguration) unless `repeat` is a whole number from 1 to 10. */
export function validateRepeat(repeat: number): void {
  if (!Number.isInteger(repeat) || repeat < MIN_VOICE_REPEAT || repeat > MAX_VOICE_REPEAT) {
    throw new TypeError(
      `phoneproof: voice.repeat must be a whole number from ${MIN_VOICE_REPEAT} to ${MAX_VOICE_REPEAT}, got ${String(repeat)}.`,
    );
  }
}

/** The script's lines: `intro`, the code, then `again` and the code, `repeat` times in all. */
export function voiceScript(intro: string, again: string, code: string, repeat: number): string {
  const spoken = spokenCode(code);
  const lines = [intro, spoken];
  for (let i = 1; i < repeat; i += 1) lines.push(again, spoken);
  return lines.join('\n');
}

/** Splits a voice text into the lines to speak (blank lines dropped). */
export function voiceLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** Escapes text for XML content and attribute values (TwiML, SSML). */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Default text-to-speech region for a language without one. */
const TTS_DEFAULTS: Readonly<Record<string, string>> = {
  en: 'en-US',
  es: 'es-ES',
  fr: 'fr-FR',
  de: 'de-DE',
  pt: 'pt-BR',
  it: 'it-IT',
  nl: 'nl-NL',
  ja: 'ja-JP',
  ko: 'ko-KR',
  zh: 'cmn-CN',
  ru: 'ru-RU',
  pl: 'pl-PL',
  sv: 'sv-SE',
  da: 'da-DK',
  nb: 'nb-NO',
  tr: 'tr-TR',
  ar: 'ar-XA',
  hi: 'hi-IN',
};

/**
 * The text-to-speech language for a BCP 47 locale: the locale itself when it names a region
 * (`es-MX`, `pt-PT`), else the language's usual region (`pt` → `pt-BR`), else `en-US`.
 */
export function ttsLanguage(locale: string): string {
  const [lang = '', ...rest] = locale.split('-');
  const language = lang.toLowerCase();
  const region = rest.find((p) => /^[A-Za-z]{2}$|^\d{3}$/.test(p));
  if (region && language) return `${language}-${region.toUpperCase()}`;
  return TTS_DEFAULTS[language] ?? 'en-US';
}
