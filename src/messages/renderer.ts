/**
 * `createRenderer`: localized SMS and voice messages from built-in and custom templates
 * (WhatsApp messages get the SMS text: WhatsApp senders send an approved template built from
 * the code and the locale, and the text serves console and outbox senders),
 * with origin-bound codes (WebOTP / SMS Retriever), optional GSM-7 transliteration, and the
 * encoding and segment count of what it renders. Options and their validation live in
 * ./renderer-options.ts, the composition of one message in ./compose.ts.
 * @module
 */
import type { LocaleStrings } from './catalog';
import { type Language, renderSms, renderVoice, varsOf } from './compose';
import type { MessageContext, MessageRenderer } from './context';
import { matchLocale } from './locale';
import { type RendererOptions, rendererSettings } from './renderer-options';
import { type SmsEncoding, smsInfo } from './sms-encoding';
import { ttsLanguage } from './voice';

export type { LocalizedTemplate, RendererOptions, Template } from './renderer-options';

/** A rendered message with what it costs. */
export interface RenderedMessage {
  readonly text: string;
  /** Locale of the strings actually used. */
  readonly locale: string;
  /** Template actually used (`default` when the requested one is unknown). */
  readonly template: string;
  /** Text-to-speech language for voice (e.g. `pt-BR`). */
  readonly ttsLanguage: string;
  /** SMS only (WhatsApp is not billed by segment). */
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
   * to pick the text-to-speech language and WhatsApp senders the template's language.
   */
  localeFor(locale: string): string;
}

/** A requested locale resolved: its strings, and the locale reported for it. */
interface Resolved extends Language {
  readonly locale: string;
}

/**
 * Resolves requested locales against the catalog. Resolution runs for every message, so it is
 * remembered per requested tag (bounded, since requested tags come from callers).
 */
function localeResolver(
  locales: Readonly<Record<string, LocaleStrings>>,
  fallback: string,
): (requested: string) => Resolved {
  const langOf = (tag: string) => tag.split('-')[0]!.toLowerCase();
  const resolved = new Map<string, Resolved>();
  return (requested) => {
    let r = resolved.get(requested);
    if (r === undefined) {
      const tag = matchLocale(Object.keys(locales), requested, fallback)!;
      const spoken = langOf(tag) === langOf(requested);
      r = { tag, strings: locales[tag]!, locale: spoken ? requested : tag, spoken };
      if (resolved.size < 256) resolved.set(requested, r);
    }
    return r;
  };
}

/** Builds a renderer. Throws (misconfiguration) on a malformed template or option. */
export function createRenderer(options: RendererOptions = {}): TemplateRenderer {
  const settings = rendererSettings(options);
  const resolve = localeResolver(settings.locales, settings.fallback);
  const localeFor = (locale: string) => resolve(locale).locale;

  /** The text alone (the hot path: no encoding analysis). */
  function textOf(ctx: MessageContext): string {
    const language = resolve(ctx.locale);
    const vars = varsOf(ctx, language);
    if (ctx.channel === 'voice') return renderVoice(settings, ctx, language, vars);
    return renderSms(settings, ctx, language, vars).text;
  }

  function describe(ctx: MessageContext): RenderedMessage {
    const language = resolve(ctx.locale);
    const { locale, strings } = language;
    const vars = varsOf(ctx, language);
    const tts = locale.includes('-') ? ttsLanguage(locale) : strings.ttsLanguage;
    if (ctx.channel === 'voice') {
      const text = renderVoice(settings, ctx, language, vars);
      return { text, locale, template: 'voice', ttsLanguage: tts };
    }
    const { text, template } = renderSms(settings, ctx, language, vars);
    if (ctx.channel === 'whatsapp') return { text, locale, template, ttsLanguage: tts };
    const info = smsInfo(text);
    return {
      text,
      locale,
      template,
      ttsLanguage: tts,
      encoding: info.encoding,
      segments: info.segments,
    };
  }

  const render = textOf as TemplateRenderer;
  return Object.assign(render, {
    describe,
    has: (name: string) => settings.names.has(name),
    localeFor,
  });
}
