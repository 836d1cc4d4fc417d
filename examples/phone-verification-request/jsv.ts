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

/** A reader over one document; each method reads one production at `i`. */
class JsvReader {
  private i = 0;
  private members = 0;
  constructor(private readonly text: string) {}

  private fail(what: string): never {
    throw new JsvRefusal(`${what} at character ${this.i + 1}.`);
  }

  private ws(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i += 1;
  }

  private count(): void {
    this.members += 1;
    if (this.members > MAX_JSV_MEMBERS) this.fail(`More than ${MAX_JSV_MEMBERS} members`);
  }

  /** `"..."` with `""` for a quote. */
  private quoted(): string {
    let out = '';
    this.i += 1;
    for (;;) {
      const q = this.text.indexOf('"', this.i);
      if (q < 0) this.fail('A quoted value is not closed');
      out += this.text.slice(this.i, q);
      this.i = q + 1;
      if (this.text[this.i] !== '"') return out;
      out += '"';
      this.i += 1;
    }
  }

  /** An unquoted value: up to the next `,` or the closing bracket of its container. */
  private bare(end: string): string | null {
    const start = this.i;
    while (this.i < this.text.length && this.text[this.i] !== ',' && this.text[this.i] !== end) {
      if ('{}[]'.includes(this.text[this.i]!)) this.fail(`Unexpected "${this.text[this.i]}"`);
      this.i += 1;
    }
    const v = this.text.slice(start, this.i).trim();
    return v === '' ? null : v;
  }

  private value(end: string, depth: number): JsvValue {
    this.ws();
    if (depth > MAX_JSV_DEPTH) this.fail(`Nested deeper than ${MAX_JSV_DEPTH}`);
    const c = this.text[this.i];
    if (c === '{') return this.object(depth + 1);
    if (c === '[') return this.list(depth + 1);
    if (c !== '"') return this.bare(end);
    const s = this.quoted();
    this.ws();
    return s;
  }

  private key(): string {
    this.ws();
    let key: string;
    if (this.text[this.i] === '"') key = this.quoted();
    else {
      key = /^[^:,{}[\]"]*/.exec(this.text.slice(this.i, this.i + 256))![0];
      this.i += key.length;
    }
    this.ws();
    if (key.trim() === '' || this.text[this.i] !== ':') this.fail('Expected "key:"');
    this.i += 1;
    return key.trim();
  }

  /** Reads items up to `close`, separated by commas; `item` reads one. */
  private items(close: string, item: () => void): void {
    this.i += 1;
    this.ws();
    if (this.text[this.i] === close) {
      this.i += 1;
      return;
    }
    for (;;) {
      this.count();
      item();
      this.ws();
      const c = this.text[this.i];
      this.i += 1;
      if (c === close) return;
      if (c !== ',') {
        this.i -= 1;
        this.fail(`Expected "," or "${close}"`);
      }
    }
  }

  private object(depth: number): { [key: string]: JsvValue } {
    const out: { [key: string]: JsvValue } = {};
    this.items('}', () => {
      const name = this.key();
      if (FORBIDDEN.has(name) || Object.hasOwn(out, name)) {
        this.fail(`The key ${name} is not accepted`);
      }
      out[name] = this.value('}', depth);
    });
    return out;
  }

  private list(depth: number): JsvValue[] {
    const out: JsvValue[] = [];
    this.items(']', () => void out.push(this.value(']', depth)));
    return out;
  }

  document(): JsvValue {
    this.ws();
    const c = this.text[this.i];
    if (c !== '{' && c !== '[' && c !== '"') {
      return this.text.trim() === '' ? null : this.text.trim();
    }
    const v = c === '{' ? this.object(1) : c === '[' ? this.list(1) : this.quoted();
    this.ws();
    if (this.i < this.text.length) this.fail('Unexpected text after the value');
    return v;
  }
}

/** Reads a JSV document; a string says what is wrong and where (answer 400). */
export function readJsv(text: string): { value: JsvValue } | string {
  try {
    return { value: new JsvReader(text).document() };
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
