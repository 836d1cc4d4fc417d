/**
 * The text of one message once its language is known: the placeholder values, the application's
 * template for that language (or the built-in one), and the SMS or voice text with GSM-7
 * transliteration and the origin-bound code line applied. Used by `createRenderer`. @internal
 * @module
 */
import type { LocaleStrings } from './catalog';
import type { MessageContext } from './context';
import { matchLocale, pluralOf } from './locale';
import {
  isLocaleMap,
  type LocalizedTemplate,
  type RendererSettings,
  type Template,
} from './renderer-options';
import { toGsm7 } from './sms-encoding';
import { interpolate, type Vars } from './template';
import { spokenCode, voiceScript } from './voice';
import { withOriginBoundCode } from './webotp';

/** The strings of the language a message is rendered in. */
export interface Language {
  /** Catalog key of the strings (e.g. `pt`). */
  readonly tag: string;
  readonly strings: LocaleStrings;
  /** True when the strings speak the requested language (not the fallback's). */
  readonly spoken: boolean;
}

/** Values of the placeholders for one message. */
export function varsOf(ctx: MessageContext, { strings, tag }: Language): Vars {
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
function pick(
  t: LocalizedTemplate,
  locale: string,
  builtinFirst: boolean,
  fallback: string,
): Template | undefined {
  if (!isLocaleMap(t)) return t;
  const keys = Object.keys(t);
  const own = matchLocale(keys, locale, locale);
  if (own !== undefined) return t[own];
  if (builtinFirst) return undefined;
  const key = matchLocale(keys, fallback, fallback);
  return key === undefined ? undefined : t[key];
}

/** The SMS text and the name of the template actually used. */
export function renderSms(
  settings: RendererSettings,
  ctx: MessageContext,
  { strings, spoken }: Language,
  vars: Vars,
): { readonly text: string; readonly template: string } {
  const { custom, names, fallback, webOtp } = settings;
  const requested = ctx.template ?? 'default';
  const name = names.has(requested) ? requested : 'default';
  const builtin = spoken && strings.sms[name] !== undefined;
  const own =
    custom[name] !== undefined ? pick(custom[name], ctx.locale, builtin, fallback) : undefined;
  let text = own !== undefined ? apply(own, ctx, vars) : undefined;
  // A message without its code is useless: fall back to the built-in text.
  if (text !== undefined && !text.includes(ctx.code)) text = undefined;
  const used = text !== undefined || strings.sms[name] !== undefined ? name : 'default';
  text ??= interpolate(strings.sms[name] ?? strings.sms.default, vars);
  if (settings.gsm7) text = toGsm7(text);
  if (webOtp) text = withOriginBoundCode(text, ctx.code, webOtp);
  return { text, template: used };
}

/** The voice script: the application's template, or the code read `repeat` times. */
export function renderVoice(
  settings: RendererSettings,
  ctx: MessageContext,
  { strings, spoken }: Language,
  vars: Vars,
): string {
  const { voiceTemplate, fallback } = settings;
  const own =
    voiceTemplate !== undefined ? pick(voiceTemplate, ctx.locale, spoken, fallback) : undefined;
  const text = own !== undefined ? apply(own, ctx, vars) : undefined;
  if (text !== undefined) return text;
  const intro = interpolate(strings.voice.intro, vars);
  const again = interpolate(strings.voice.again, vars);
  return voiceScript(intro, again, ctx.code, settings.repeat);
}
