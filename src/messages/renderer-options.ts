/**
 * The options of `createRenderer` and their validation: templates (one text, a function, or
 * one per locale), added languages, the fallback language, voice repetition, origin-bound codes
 * and GSM-7 transliteration. {@link rendererSettings} checks them once, at construction, and
 * returns what rendering reads.
 * @module
 */
import { BUILTIN_TEMPLATES, builtinLocales, type LocaleStrings } from './catalog';
import type { MessageContext } from './context';
import { matchLocale } from './locale';
import { type Placeholder, validateTemplate } from './template';
import { DEFAULT_VOICE_REPEAT, validateRepeat } from './voice';
import { validateWebOtp, type WebOtpOptions } from './webotp';

/** A template: text with placeholders, or a function of the context. */
export type Template = string | ((ctx: MessageContext) => string);
/** One template for every language, or one per locale (`{ en: ..., 'pt-BR': ... }`). */
export type LocalizedTemplate = Template | Readonly<Record<string, Template>>;

export interface RendererOptions {
  /**
   * SMS templates by name (the `template` of `start`/`resend`); `default` is used when none
   * is named. A name given here replaces the built-in template of that name.
   */
  readonly templates?: Readonly<Record<string, LocalizedTemplate>>;
  readonly voice?: {
    /** Times the code is read, 1-10 (default 3). */
    readonly repeat?: number;
    /** Replaces the built-in script; `{spoken}` is the code read digit by digit. */
    readonly template?: LocalizedTemplate;
  };
  /** Added or replaced languages, keyed by BCP 47 tag. */
  readonly locales?: Readonly<Record<string, LocaleStrings>>;
  /** Language used when no strings match the requested locale (default `en`). */
  readonly fallbackLocale?: string;
  /** Appends the origin-bound code line (`@example.com #123456`) to every SMS. */
  readonly webOtp?: WebOtpOptions;
  /**
   * Replace accented letters and typographic punctuation by GSM-7 lookalikes when that makes
   * the whole SMS GSM-7 (160 characters a segment instead of 70). Default false.
   */
  readonly gsm7?: boolean;
}

/** Validated options with their defaults applied: what rendering reads. @internal */
export interface RendererSettings {
  /** Built-in languages with the added ones. */
  readonly locales: Readonly<Record<string, LocaleStrings>>;
  readonly fallback: string;
  /** The application's SMS templates by name. */
  readonly custom: Readonly<Record<string, LocalizedTemplate>>;
  /** Built-in and custom template names. */
  readonly names: ReadonlySet<string>;
  readonly repeat: number;
  readonly voiceTemplate: LocalizedTemplate | undefined;
  readonly webOtp: WebOtpOptions | undefined;
  readonly gsm7: boolean;
}

export const isLocaleMap = (t: LocalizedTemplate): t is Readonly<Record<string, Template>> =>
  typeof t === 'object' && t !== null;

function validateLocalized(t: LocalizedTemplate, where: string, required: Placeholder[]): void {
  if (typeof t === 'function') return;
  if (typeof t === 'string') {
    validateTemplate(t, where, required);
    return;
  }
  if (!isLocaleMap(t) || Object.keys(t).length === 0) {
    throw new TypeError(`phoneproof: template ${where} must be a string, function or locale map.`);
  }
  for (const [loc, x] of Object.entries(t)) {
    if (typeof x !== 'function') validateTemplate(x, `${where}.${loc}`, required);
  }
}

function validateLocale(tag: string, s: LocaleStrings): void {
  if (typeof s !== 'object' || s === null || typeof s.sms !== 'object' || !s.sms.default) {
    throw new TypeError(`phoneproof: locale "${tag}" needs sms.default.`);
  }
  for (const [name, t] of Object.entries(s.sms))
    validateTemplate(t, `${tag}.sms.${name}`, ['code']);
  if (typeof s.minutes?.other !== 'string') {
    throw new TypeError(`phoneproof: locale "${tag}" needs minutes.other (e.g. "{n} minutes").`);
  }
  validateTemplate(s.voice?.intro, `${tag}.voice.intro`, []);
  validateTemplate(s.voice?.again, `${tag}.voice.again`, []);
}

/** Checks the options. Throws (misconfiguration) on a malformed template or option. */
export function rendererSettings(options: RendererOptions): RendererSettings {
  const locales: Record<string, LocaleStrings> = { ...builtinLocales };
  for (const [tag, s] of Object.entries(options.locales ?? {})) {
    validateLocale(tag, s);
    locales[tag] = s;
  }
  const fallback = options.fallbackLocale ?? 'en';
  if (matchLocale(Object.keys(locales), fallback, fallback) === undefined) {
    throw new TypeError(`phoneproof: fallbackLocale "${fallback}" has no strings.`);
  }
  const custom = options.templates ?? {};
  for (const [name, t] of Object.entries(custom)) validateLocalized(t, name, ['code']);
  const repeat = options.voice?.repeat ?? DEFAULT_VOICE_REPEAT;
  validateRepeat(repeat);
  const voiceTemplate = options.voice?.template;
  if (voiceTemplate !== undefined) validateLocalized(voiceTemplate, 'voice', ['code', 'spoken']);
  if (options.webOtp) validateWebOtp(options.webOtp);
  return {
    locales,
    fallback,
    custom,
    names: new Set<string>([...BUILTIN_TEMPLATES, ...Object.keys(custom)]),
    repeat,
    voiceTemplate,
    webOtp: options.webOtp,
    gsm7: Boolean(options.gsm7),
  };
}
