/**
 * The approved WhatsApp authentication template to send for a message's locale, as every
 * WhatsApp sender takes it: a table of locale → template (a Twilio Content SID, a Meta
 * template name and language...) or a function. A locale is looked up as given, then by its
 * language (`pt-BR` → `pt`), then as the default locale, so that a verification in a locale
 * without its own template still gets a code. The table is checked once, at construction.
 * @module
 */

/** An approved Meta authentication template: its name and its language code in Meta's spelling. */
export interface WhatsAppTemplate {
  /** The template's name, e.g. `verification_code`. */
  readonly name: string;
  /** The template's language code, e.g. `en_US`, `pt_BR`, `es`. */
  readonly language: string;
}

/** The problem with a template's name or language, or `undefined`. */
export function checkWhatsAppTemplate(t: WhatsAppTemplate): string | undefined {
  if (typeof t?.name !== 'string' || !/^[a-z0-9_]{1,512}$/.test(t.name)) {
    return 'name must be a template name (lowercase letters, digits, _).';
  }
  if (typeof t.language !== 'string' || !/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/.test(t.language)) {
    return 'language must be a WhatsApp language code such as en_US or pt_BR.';
  }
  return undefined;
}

/**
 * Meta's `template` object of an authentication template send: the code as the body parameter
 * and as the copy-code / one-tap button's URL parameter (button index 0). Cloud API sends it
 * as is; Vonage passes it through its `custom` message (with `policy: deterministic`).
 */
export function authenticationTemplate(
  t: WhatsAppTemplate,
  code: string,
  language: Readonly<Record<string, string>> = {},
) {
  const parameters = [{ type: 'text', text: code }];
  return {
    name: t.name,
    language: { ...language, code: t.language },
    components: [
      { type: 'body', parameters },
      { type: 'button', sub_type: 'url', index: '0', parameters },
    ],
  };
}

/** Locale → template, or a function of the locale (return `undefined` for "none"). */
export type WhatsAppTemplates<T> =
  | Readonly<Record<string, T>>
  | ((locale: string) => T | undefined);

/** Picks the template for a locale; `undefined` when there is none (misconfiguration). */
export type TemplatePicker<T> = (locale: string) => T | undefined;

/** Candidate keys for a locale: as given, its language, then the default. */
function candidates(locale: string, fallback: string): string[] {
  const out = [locale, locale.toLowerCase(), locale.split(/[-_]/)[0]!.toLowerCase(), fallback];
  return [...new Set(out.filter((k) => k !== ''))];
}

/**
 * Checks a templates option and returns its picker. `check` returns a problem with one
 * template (or `undefined`); `fail` throws the adapter's configuration error.
 */
export function templatePicker<T>(
  templates: WhatsAppTemplates<T> | undefined,
  defaultLocale: string | undefined,
  check: (template: T) => string | undefined,
  fail: (message: string) => never,
): TemplatePicker<T> {
  const fallback = defaultLocale ?? 'en';
  if (typeof fallback !== 'string' || fallback === '') fail('defaultLocale must be a locale.');
  if (typeof templates === 'function') {
    return (locale) => {
      for (const key of candidates(locale, fallback)) {
        const t = templates(key);
        if (t !== undefined && check(t) === undefined) return t;
      }
      return undefined;
    };
  }
  if (typeof templates !== 'object' || templates === null) {
    return fail('templates (locale → template, or a function) are required.');
  }
  const table = new Map<string, T>();
  for (const [key, t] of Object.entries(templates)) {
    const problem = check(t);
    if (problem !== undefined) fail(`templates["${key}"]: ${problem}`);
    table.set(key.toLowerCase().replace('_', '-'), t);
  }
  if (!table.has(fallback.toLowerCase())) {
    fail(`templates needs the default locale "${fallback}" (set defaultLocale to change it).`);
  }
  return (locale) => {
    for (const key of candidates(locale.replace('_', '-'), fallback)) {
      const t = table.get(key.toLowerCase());
      if (t !== undefined) return t;
    }
    return undefined;
  };
}
