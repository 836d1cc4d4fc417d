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
export function pluralOf(locale: string, n: number): Intl.LDMLPluralRule {
  try {
    return new Intl.PluralRules(locale).select(n);
  } catch {
    return 'other';
  }
}
