/**
 * JSV, ServiceStack's text format (the reference page's only sample), read and written by
 * hand from the format's public description: `{key:value,...}` objects, `[a,b]` lists, values
 * unquoted unless they hold one of `[]{},"`, then wrapped in double quotes with `"` doubled.
 * The page prints its sample with line breaks and tabs, so whitespace around keys, values
 * and punctuation is skipped (a value whose own edges are spaces must be quoted). JSV has no
 * types: every value reads as a string, and the endpoint types its fields. The reader is
 * bounded (depth {@link MAX_JSV_DEPTH}, {@link MAX_JSV_MEMBERS} members in all) and refuses
 * duplicate keys and prototype names; a refusal says where.
 * @module
 */

export const MAX_JSV_DEPTH = 8;
export const MAX_JSV_MEMBERS = 512;

export type JsvValue = string | null | JsvValue[] | { [key: string]: JsvValue };

class JsvRefusal extends Error {}
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function reader(text: string) {
  let i = 0;
  let members = 0;
  const fail = (what: string): never => {
    throw new JsvRefusal(`${what} at character ${i + 1}.`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i += 1;
  };
  const count = () => {
    members += 1;
    if (members > MAX_JSV_MEMBERS) fail(`More than ${MAX_JSV_MEMBERS} members`);
  };

  function quoted(): string {
    let out = '';
    i += 1;
    for (;;) {
      const q = text.indexOf('"', i);
      if (q < 0) fail('A quoted value is not closed');
      out += text.slice(i, q);
      i = q + 1;
      if (text[i] !== '"') return out;
      out += '"';
      i += 1;
    }
  }

  /** An unquoted value: up to the next `,` or the closing bracket of its container. */
  function bare(end: string): string | null {
    const start = i;
    while (i < text.length && text[i] !== ',' && text[i] !== end) {
      if ('{}[]'.includes(text[i]!)) fail(`Unexpected "${text[i]}"`);
      i += 1;
    }
    const v = text.slice(start, i).trim();
    return v === '' ? null : v;
  }

  function value(end: string, depth: number): JsvValue {
    ws();
    if (depth > MAX_JSV_DEPTH) fail(`Nested deeper than ${MAX_JSV_DEPTH}`);
    const c = text[i];
    if (c === '{') return object(depth + 1);
    if (c === '[') return list(depth + 1);
    if (c !== '"') return bare(end);
    const s = quoted();
    ws();
    return s;
  }

  function object(depth: number): { [key: string]: JsvValue } {
    const out: { [key: string]: JsvValue } = {};
    i += 1;
    ws();
    if (text[i] === '}') {
      i += 1;
      return out;
    }
    for (;;) {
      ws();
      let key: string;
      if (text[i] === '"') key = quoted();
      else {
        key = /^[^:,{}[\]"]*/.exec(text.slice(i, i + 256))![0];
        i += key.length;
      }
      const name = key.trim();
      ws();
      if (name === '' || text[i] !== ':') fail('Expected "key:"');
      if (FORBIDDEN.has(name) || Object.hasOwn(out, name)) fail(`The key ${name} is not accepted`);
      i += 1;
      count();
      out[name] = value('}', depth);
      ws();
      if (text[i] === ',') i += 1;
      else if (text[i] === '}') {
        i += 1;
        return out;
      } else fail('Expected "," or "}"');
    }
  }

  function list(depth: number): JsvValue[] {
    const out: JsvValue[] = [];
    i += 1;
    ws();
    if (text[i] === ']') {
      i += 1;
      return out;
    }
    for (;;) {
      count();
      out.push(value(']', depth));
      ws();
      if (text[i] === ',') i += 1;
      else if (text[i] === ']') {
        i += 1;
        return out;
      } else fail('Expected "," or "]"');
    }
  }

  function document(): JsvValue {
    ws();
    const c = text[i];
    const v = c === '{' ? object(1) : c === '[' ? list(1) : c === '"' ? quoted() : null;
    if (v === null) return text.trim() === '' ? null : text.trim();
    ws();
    if (i < text.length) fail('Unexpected text after the value');
    return v;
  }
  return document;
}

/** Reads a JSV document; a string says what is wrong and where (answer 400). */
export function readJsv(text: string): { value: JsvValue } | string {
  try {
    return { value: reader(text)() };
  } catch (e) {
    if (e instanceof JsvRefusal) return `The body is not valid JSV: ${e.message}`;
    throw e;
  }
}

const needsQuotes = (s: string) => /[[\]{},"]/.test(s) || s.trim() !== s || s === '';

/** Writes JSV: objects without their null members, booleans as `True`/`False`. */
export function writeJsv(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(writeJsv).join(',')}]`;
  if (typeof v === 'object') {
    const parts = Object.entries(v)
      .filter(([, x]) => x !== null && x !== undefined)
      .map(([k, x]) => `${needsQuotes(k) ? `"${k.replace(/"/g, '""')}"` : k}:${writeJsv(x)}`);
    return `{${parts.join(',')}}`;
  }
  const s = String(v);
  return needsQuotes(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
