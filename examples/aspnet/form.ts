/**
 * How ASP.NET binds requests, for the examples that stand in for ASP.NET endpoints (000,
 * 003): `application/x-www-form-urlencoded` bodies with the form binder's field names
 * (`VerifiedUserObj.AuthenticatorKey`, or jQuery's `VerifiedUserObj[AuthenticatorKey]`),
 * and member names matched without regard to case, as the JSON and form binders do.
 * @module
 */

/** Deepest nesting read from a form field name (`a.b.c.d`). */
export const MAX_FORM_DEPTH = 4;

export type FormValue = string | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** `a[b][c]` and `a.b.c` → `['a', 'b', 'c']`; undefined when the name is not a path. */
function pathOf(name: string): string[] | undefined {
  const dotted = name.replace(/\[([^[\]]*)\]/g, '.$1');
  const parts = dotted.split('.');
  if (parts.some((p) => p === '' || FORBIDDEN.has(p)) || parts.length > MAX_FORM_DEPTH) {
    return undefined;
  }
  return parts;
}

/**
 * Reads a urlencoded body into nested objects. A string says what is wrong (answer 400): a
 * field given twice, a name that is not a member path, a member that is both a value and an
 * object.
 */
export function readForm(text: string): FormObject | string {
  const out: FormObject = {};
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(text)) {
    const path = pathOf(name);
    if (!path) return `The form field "${name.slice(0, 60)}" is not a member name.`;
    const key = path.join('.').toLowerCase();
    if (seen.has(key)) return `The form field ${path.join('.')} is given twice.`;
    seen.add(key);
    let node: FormObject = out;
    for (const p of path.slice(0, -1)) {
      const next: FormValue = Object.hasOwn(node, p) ? node[p]! : {};
      if (typeof next === 'string') return `The form field ${p} is both a value and an object.`;
      node[p] = next;
      node = next;
    }
    const last = path.at(-1)!;
    if (Object.hasOwn(node, last)) return `The form field ${last} is both a value and an object.`;
    node[last] = value;
  }
  return out;
}

/**
 * The body's members under the DTO's own names, matched without regard to case (an exact
 * match wins, as in Json.NET). Members the DTO does not name are dropped. A string says which
 * member is ambiguous (two spellings that differ only by case).
 */
export function bindNames(
  body: Readonly<Record<string, unknown>>,
  names: readonly string[],
): Record<string, unknown> | string {
  const byLower = new Map<string, string[]>();
  for (const k of Object.keys(body)) {
    const l = k.toLowerCase();
    byLower.set(l, [...(byLower.get(l) ?? []), k]);
  }
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const keys = byLower.get(name.toLowerCase()) ?? [];
    const key = keys.includes(name) ? name : keys.length === 1 ? keys[0] : undefined;
    if (keys.length > 1 && !keys.includes(name))
      return `${name} is given twice (${keys.join(', ')}).`;
    if (key !== undefined) out[name] = body[key];
  }
  return out;
}
