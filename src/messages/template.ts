/**
 * Template strings: `{name}` placeholders, validated when the renderer is built so a typo
 * fails at startup rather than in a user's SMS. @internal
 * @module
 */

/** Placeholders a template may use. */
export const PLACEHOLDERS = ['app', 'code', 'spoken', 'expires', 'minutes', 'purpose'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type Vars = Readonly<Record<Placeholder, string>>;

const PATTERN = /\{([A-Za-z_]+)\}/g;

/** The placeholder names used in `template`, in order. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PATTERN)].map((m) => m[1]!);
}

/**
 * Throws (misconfiguration) when `template` uses an unknown placeholder or lacks every one of
 * `required` (one of them must appear).
 */
export function validateTemplate(
  template: string,
  where: string,
  required: readonly Placeholder[],
): void {
  if (typeof template !== 'string' || template.trim() === '') {
    throw new TypeError(`phoneproof: template ${where} must be a non-empty string or a function.`);
  }
  const used = placeholdersOf(template);
  const unknown = used.filter((p) => !(PLACEHOLDERS as readonly string[]).includes(p));
  if (unknown.length > 0) {
    throw new TypeError(
      `phoneproof: template ${where} uses unknown placeholder {${unknown[0]}}; known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}.`,
    );
  }
  if (required.length > 0 && !required.some((r) => used.includes(r))) {
    throw new TypeError(
      `phoneproof: template ${where} must contain ${required.map((r) => `{${r}}`).join(' or ')}.`,
    );
  }
}

/** A template split once into literal text (even indexes) and placeholder names (odd). */
const compiled = new Map<string, readonly string[]>();

function partsOf(template: string): readonly string[] {
  let parts = compiled.get(template);
  if (parts === undefined) {
    parts = template.split(PATTERN);
    // Templates come from configuration, so few; the bound only guards odd callers.
    if (compiled.size < 512) compiled.set(template, parts);
  }
  return parts;
}

/** Replaces each known `{name}`; text that is not a known placeholder is kept as is. */
export function interpolate(template: string, vars: Vars): string {
  const parts = partsOf(template);
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!;
    out += (Object.hasOwn(vars, name) ? vars[name as Placeholder] : `{${name}}`) + parts[i + 1]!;
  }
  return out;
}
