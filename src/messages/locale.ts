/**
 * BCP 47 locale matching for message catalogs. @internal
 * @module
 */

/** `pt-BR-x-foo` → [`pt-br-x-foo`, `pt-br-x`, `pt-br`, `pt`] (lower case). */
export function candidates(locale: string): string[] {
  const parts = locale.toLowerCase().split('-');
  const out: string[] = [];
  for (let n = parts.length; n > 0; n -= 1) out.push(parts.slice(0, n).join('-'));
  return out;
}

/**
 * The key of `map` that best matches `locale` (the tag, then shorter prefixes of it), then
 * `fallback` likewise; `undefined` when neither matches. Keys are matched case-insensitively.
 */
export function matchLocale(
  keys: Iterable<string>,
  locale: string,
  fallback: string,
): string | undefined {
  const byLower = new Map<string, string>();
  for (const k of keys) byLower.set(k.toLowerCase(), k);
  for (const c of [...candidates(locale), ...candidates(fallback)]) {
    const hit = byLower.get(c);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** Plural category of `n` in `locale`, `other` when the runtime lacks the locale. */
const pluralRules = new Map<string, Intl.PluralRules | null>();

/** Categories already selected, per locale, for small whole numbers (minutes). */
const selected = new Map<string, Intl.LDMLPluralRule[]>();

export function pluralOf(locale: string, n: number): Intl.LDMLPluralRule {
  // Building Intl.PluralRules costs ~50 µs and `select` ~2 µs: keep one per locale (bounded)
  // and remember the category of each small whole number.
  const small = Number.isInteger(n) && n >= 0 && n < 1440;
  const known = small ? selected.get(locale)?.[n] : undefined;
  if (known !== undefined) return known;
  let rules = pluralRules.get(locale);
  if (rules === undefined) {
    try {
      rules = new Intl.PluralRules(locale);
    } catch {
      rules = null;
    }
    if (pluralRules.size < 256) pluralRules.set(locale, rules);
  }
  const category = rules ? rules.select(n) : 'other';
  if (small && pluralRules.has(locale)) {
    let list = selected.get(locale);
    if (list === undefined) {
      list = [];
      selected.set(locale, list);
    }
    list[n] = category;
  }
  return category;
}
