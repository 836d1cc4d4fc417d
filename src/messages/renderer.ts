/**
 * `createRenderer`: localized SMS and voice messages from built-in and custom templates,
 * with origin-bound codes (WebOTP / SMS Retriever), optional GSM-7 transliteration, and the
 * encoding and segment count of what it renders.
 * @module
 */
import { BUILTIN_TEMPLATES, builtinLocales, type LocaleStrings } from './catalog';
import { matchLocale, pluralOf } from './locale';
import type { MessageContext, MessageRenderer } from './render';
import { type SmsEncoding, smsInfo, toGsm7 } from './sms-encoding';
import { interpolate, type Placeholder, type Vars, validateTemplate } from './template';
import {
  DEFAULT_VOICE_REPEAT,
  spokenCode,
  ttsLanguage,
  validateRepeat,
  voiceScript,
} from './voice';
import { validateWebOtp, type WebOtpOptions, withOriginBoundCode } from './webotp';

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

/** A rendered message with what it costs. */
export interface RenderedMessage {
  readonly text: string;
  /** Locale of the strings actually used. */
  readonly locale: string;
  /** Template actually used (`default` when the requested one is unknown). */
  readonly template: string;
  /** Text-to-speech language for voice (e.g. `pt-BR`). */
  readonly ttsLanguage: string;
  /** SMS only. */
  readonly encoding?: SmsEncoding;
  /** SMS only: segments billed. */
  readonly segments?: number;
}

/** A `MessageRenderer` that can also describe what it renders. */
export interface TemplateRenderer extends MessageRenderer {
  /** Renders and reports locale, template, encoding and segments. */
  describe(ctx: MessageContext): RenderedMessage;
  /** True when `name` is a built-in or configured template. */
  has(name: string): boolean;
  /**
   * The locale a request for `locale` is rendered in: `locale` itself when strings of its
   * language exist (`es-MX` → `es-MX`), else the fallback's tag (`ja` → `en`). Senders use it
   * to pick the text-to-speech language.
   */
  localeFor(locale: string): string;
}

const isRecord = (t: LocalizedTemplate): t is Readonly<Record<string, Template>> =>
  typeof t === 'object' && t !== null;

function validateLocalized(t: LocalizedTemplate, where: string, required: Placeholder[]): void {
  if (typeof t === 'function') return;
  if (typeof t === 'string') {
    validateTemplate(t, where, required);
    return;
  }
  if (!isRecord(t) || Object.keys(t).length === 0) {
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

/** Builds a renderer. Throws (misconfiguration) on a malformed template or option. */
export function createRenderer(options: RendererOptions = {}): TemplateRenderer {
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
  const webOtp = options.webOtp;
  const names = new Set<string>([...BUILTIN_TEMPLATES, ...Object.keys(custom)]);

  const langOf = (tag: string) => tag.split('-')[0]!.toLowerCase();
  // Locale resolution runs for every message: remember it per requested tag (bounded, since
  // requested tags come from callers).
  const resolved = new Map<
    string,
    { readonly tag: string; readonly locale: string; readonly spoken: boolean }
  >();
  const resolve = (requested: string) => {
    let r = resolved.get(requested);
    if (r === undefined) {
      const tag = matchLocale(Object.keys(locales), requested, fallback)!;
      const spoken = langOf(tag) === langOf(requested);
      r = { tag, locale: spoken ? requested : tag, spoken };
      if (resolved.size < 256) resolved.set(requested, r);
    }
    return r;
  };
  const tagOf = (locale: string) => resolve(locale).tag;
  const localeFor = (locale: string) => resolve(locale).locale;

  function varsOf(ctx: MessageContext, strings: LocaleStrings, tag: string): Vars {
    const n = ctx.minutes;
    const unit = strings.minutes[pluralOf(tag, n)] ?? strings.minutes.other;
    return {
      app: ctx.appName,
      code: ctx.code,
      spoken: spokenCode(ctx.code),
      expires: unit.replace('{n}', String(n)),
      minutes: String(n),
      purpose: ctx.purpose,
    };
  }

  /** Applies a template; `undefined` when a custom function throws or returns a non-string. */
  function apply(t: Template, ctx: MessageContext, vars: Vars): string | undefined {
    if (typeof t === 'string') return interpolate(t, vars);
    try {
      const out = t(ctx);
      return typeof out === 'string' && out.trim() !== '' ? out : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The template of a locale map for `locale`: its language first; then, unless the built-in
   * catalog speaks that language (`builtinFirst`), the fallback locale's.
   */
  function pick(t: LocalizedTemplate, locale: string, builtinFirst: boolean): Template | undefined {
    if (!isRecord(t)) return t;
    const keys = Object.keys(t);
    const own = matchLocale(keys, locale, locale);
    if (own !== undefined) return t[own];
    if (builtinFirst) return undefined;
    const key = matchLocale(keys, fallback, fallback);
    return key === undefined ? undefined : t[key];
  }

  function renderSms(ctx: MessageContext, strings: LocaleStrings, vars: Vars) {
    const requested = ctx.template ?? 'default';
    const name = names.has(requested) ? requested : 'default';
    const spoken = resolve(ctx.locale).spoken;
    const builtin = spoken && strings.sms[name] !== undefined;
    const own = custom[name] !== undefined ? pick(custom[name], ctx.locale, builtin) : undefined;
    let text = own !== undefined ? apply(own, ctx, vars) : undefined;
    // A message without its code is useless: fall back to the built-in text.
    if (text !== undefined && !text.includes(ctx.code)) text = undefined;
    const used = text !== undefined || strings.sms[name] !== undefined ? name : 'default';
    text ??= interpolate(strings.sms[name] ?? strings.sms.default, vars);
    if (options.gsm7) text = toGsm7(text);
    if (webOtp) text = withOriginBoundCode(text, ctx.code, webOtp);
    return { text, template: used };
  }

  function renderVoice(ctx: MessageContext, strings: LocaleStrings, vars: Vars): string {
    const spoken = resolve(ctx.locale).spoken;
    const own = voiceTemplate !== undefined ? pick(voiceTemplate, ctx.locale, spoken) : undefined;
    const text = own !== undefined ? apply(own, ctx, vars) : undefined;
    if (text !== undefined) return text;
    const intro = interpolate(strings.voice.intro, vars);
    const again = interpolate(strings.voice.again, vars);
    return voiceScript(intro, again, ctx.code, repeat);
  }

  /** The text alone (the hot path: no encoding analysis). */
  function textOf(ctx: MessageContext): string {
    const tag = tagOf(ctx.locale);
    const strings = locales[tag]!;
    const vars = varsOf(ctx, strings, tag);
    if (ctx.channel === 'voice') return renderVoice(ctx, strings, vars);
    return renderSms(ctx, strings, vars).text;
  }

  function describe(ctx: MessageContext): RenderedMessage {
    const tag = tagOf(ctx.locale);
    const strings = locales[tag]!;
    const locale = localeFor(ctx.locale);
    const vars = varsOf(ctx, strings, tag);
    const language = locale.includes('-') ? ttsLanguage(locale) : strings.ttsLanguage;
    if (ctx.channel === 'voice') {
      const text = renderVoice(ctx, strings, vars);
      return { text, locale, template: 'voice', ttsLanguage: language };
    }
    const { text, template } = renderSms(ctx, strings, vars);
    const info = smsInfo(text);
    return {
      text,
      locale,
      template,
      ttsLanguage: language,
      encoding: info.encoding,
      segments: info.segments,
    };
  }

  const render = textOf as TemplateRenderer;
  return Object.assign(render, {
    describe,
    has: (name: string) => names.has(name),
    localeFor,
  });
}
