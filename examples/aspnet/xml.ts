/**
 * A focused reader and writer for the XML that ASP.NET Web API's `DataContractSerializer`
 * exchanges: one root element in a DataContract namespace whose children each hold text (the
 * reference DTOs are flat). Hand-written rather than a general XML parser on purpose: it
 * accepts only that shape and refuses everything a general parser would have to be hardened
 * against: `<!DOCTYPE>` and entity declarations (no entity expansion), unknown entity
 * references, processing instructions past the XML declaration, nested elements, more than
 * {@link MAX_MEMBERS} members. Comments, CDATA sections, the five predefined entities,
 * character references, namespace prefixes and `i:nil="true"` are understood. Bodies are
 * bounded in size before they get here (the body parser's limit).
 * @module
 */

/** `xmlns:i`: XML Schema instance, for `i:nil`. */
export const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
/** Most child elements read; a DTO has a few dozen. */
export const MAX_MEMBERS = 256;

/** A DataContract's members: element text, or null for `i:nil="true"`. */
export type Members = Record<string, string | null>;

export interface DataContractName {
  /** The root element's local name (the DTO's name, e.g. `AccountModel`). */
  readonly root: string;
  /** Its namespace (`http://schemas.datacontract.org/2004/07/<CLR namespace>`). */
  readonly namespace: string;
}

class XmlRefusal extends Error {}
const refuse = (message: string): never => {
  throw new XmlRefusal(message);
};

const NAME = /^(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)$/;
const PREDEFINED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

const isXmlChar = (c: number) =>
  c === 0x9 ||
  c === 0xa ||
  c === 0xd ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  (c >= 0x10000 && c <= 0x10ffff);

/** Replaces the predefined entities and character references; refuses any other. */
function decode(text: string): string {
  if (text.includes('<')) refuse('XML text may not contain "<".');
  return text.replace(/&([^;&\s]{0,12});?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) return refuse('An XML "&" must start an entity reference.');
    const named = Object.hasOwn(PREDEFINED, ref) ? PREDEFINED[ref] : undefined;
    if (named !== undefined) return named;
    const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
    const c = m ? Number.parseInt(m[1] ?? m[2]!, m[1] ? 16 : 10) : -1;
    if (!isXmlChar(c)) return refuse(`The XML entity &${ref}; is not accepted.`);
    return String.fromCodePoint(c);
  });
}

interface Tag {
  readonly prefix: string;
  readonly local: string;
  readonly attrs: ReadonlyMap<string, string>;
  readonly selfClosing: boolean;
  readonly end: number;
}

/** Reads the start tag at `at` (which holds `<`). */
function startTag(xml: string, at: number): Tag {
  const close = xml.indexOf('>', at);
  if (close < 0) refuse('An XML tag is not closed.');
  const selfClosing = xml[close - 1] === '/';
  const inner = xml.slice(at + 1, selfClosing ? close - 1 : close);
  const name = /^[^\s/>]+/.exec(inner)?.[0] ?? '';
  const qn = NAME.exec(name) ?? refuse(`"${name.slice(0, 40)}" is not an XML element name.`);
  const attrs = new Map<string, string>();
  const rest = inner.slice(name.length);
  const attr = /\s+([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
  let i = 0;
  for (let m = attr.exec(rest); m; m = attr.exec(rest)) {
    if (attrs.has(m[1]!)) refuse(`The XML attribute ${m[1]} is given twice.`);
    attrs.set(m[1]!, decode(m[2] ?? m[3] ?? ''));
    i = attr.lastIndex;
  }
  if (rest.slice(i).trim() !== '') refuse(`The attributes of <${name}> are not well-formed XML.`);
  return { prefix: qn[1] ?? '', local: qn[2]!, attrs, selfClosing, end: close + 1 };
}

/** Skips whitespace, comments and (at the start only) the XML declaration. */
function skipMisc(xml: string, at: number, declaration: boolean): number {
  let i = at;
  const start = at;
  for (;;) {
    while (i < xml.length && /\s/.test(xml[i]!)) i += 1;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) refuse('An XML comment is not closed.');
      i = end + 3;
    } else if (declaration && i === start && xml.startsWith('<?xml', i)) {
      const end = xml.indexOf('?>', i);
      if (end < 0) refuse('The XML declaration is not closed.');
      i = end + 2;
    } else {
      return i;
    }
  }
}

/** The text content of a member up to its end tag `</name>`; CDATA sections kept as written. */
function content(xml: string, at: number, qname: string): { text: string; end: number } {
  let text = '';
  let i = at;
  for (;;) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) refuse(`<${qname}> is not closed.`);
    text += decode(xml.slice(i, lt));
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) refuse('An XML CDATA section is not closed.');
      text += xml.slice(lt + 9, end);
      i = end + 3;
    } else if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) refuse('An XML comment is not closed.');
      i = end + 3;
    } else if (xml.startsWith(`</${qname}`, lt) && /^\s*>/.test(xml.slice(lt + 2 + qname.length))) {
      return { text, end: xml.indexOf('>', lt) + 1 };
    } else {
      return refuse(`<${qname}> may hold only text (the DTO's members are flat).`);
    }
  }
}

type Scope = ReadonlyMap<string, string>;
function scopeOf(tag: Tag, parent: Scope): Scope {
  const scope = new Map(parent);
  for (const [k, v] of tag.attrs) {
    if (k === 'xmlns') scope.set('', v);
    else if (k.startsWith('xmlns:')) scope.set(k.slice(6), v);
  }
  return scope;
}
const nsOf = (tag: Tag, scope: Scope) =>
  scope.get(tag.prefix) ?? (tag.prefix === '' ? '' : refuse(`Unknown XML prefix ${tag.prefix}.`));
const isNil = (tag: Tag, scope: Scope) =>
  [...tag.attrs].some(([k, v]) => {
    const [p, l] = k.includes(':') ? k.split(':') : ['', k];
    return l === 'nil' && p !== '' && scope.get(p!) === XSI && v.trim() === 'true';
  });

function readMembers(xml: string, name: DataContractName): Members {
  if (/<!(?:DOCTYPE|ENTITY)/i.test(xml))
    refuse('XML with a DOCTYPE or entity declarations is not accepted.');
  let i = skipMisc(xml, xml.charCodeAt(0) === 0xfeff ? 1 : 0, true);
  if (xml[i] !== '<' || xml.startsWith('<?', i) || xml.startsWith('<!', i))
    refuse('The body is not XML.');
  const root = startTag(xml, i);
  const scope = scopeOf(root, new Map());
  if (root.local !== name.root || nsOf(root, scope) !== name.namespace) {
    refuse(`Expecting element '${name.root}' from namespace '${name.namespace}'.`);
  }
  const members: Members = Object.create(null) as Members;
  i = root.end;
  let count = 0;
  while (!root.selfClosing) {
    i = skipMisc(xml, i, false);
    if (xml.startsWith('</', i)) break;
    if (i >= xml.length) refuse(`<${name.root}> is not closed.`);
    if (xml[i] !== '<' || xml.startsWith('<!', i) || xml.startsWith('<?', i)) {
      refuse(`<${name.root}> may hold only member elements.`);
    }
    const tag = startTag(xml, i);
    const inner = scopeOf(tag, scope);
    const qname = tag.prefix ? `${tag.prefix}:${tag.local}` : tag.local;
    const read = tag.selfClosing ? { text: '', end: tag.end } : content(xml, tag.end, qname);
    i = read.end;
    count += 1;
    if (count > MAX_MEMBERS) refuse(`More than ${MAX_MEMBERS} XML members.`);
    // Members of another namespace are not the DTO's (DataContractSerializer skips them).
    if (nsOf(tag, inner) !== name.namespace) continue;
    if (tag.local in members) refuse(`The XML member ${tag.local} is given twice.`);
    members[tag.local] = isNil(tag, inner) ? null : read.text;
  }
  const rootQ = root.prefix ? `${root.prefix}:${root.local}` : root.local;
  if (!root.selfClosing) {
    const end = /^\s*>/.exec(xml.slice(i + 2 + rootQ.length));
    if (!xml.startsWith(`</${rootQ}`, i) || !end) refuse(`<${rootQ}> is not closed.`);
    i += 2 + rootQ.length + end![0].length;
  }
  if (skipMisc(xml, i, false) !== xml.length) refuse('Nothing may follow the XML root element.');
  return members;
}

/** Reads a DataContract body; a string says what is wrong with it (answer 400). */
export function readDataContract(xml: string, name: DataContractName): Members | string {
  try {
    return readMembers(xml, name);
  } catch (e) {
    if (e instanceof XmlRefusal) return `The XML body is not accepted: ${e.message}`;
    throw e;
  }
}

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export type XmlValue = string | number | boolean | null | undefined;

function elements(fields: Readonly<Record<string, XmlValue>>, keys: readonly string[]): string {
  return keys
    .filter((k) => fields[k] !== undefined)
    .map((k) => {
      const v = fields[k];
      return v === null ? `<${k} i:nil="true"/>` : `<${k}>${escapeXml(String(v))}</${k}>`;
    })
    .join('');
}

/** Writes a DataContract as DataContractSerializer does: members in alphabetical order. */
export function writeDataContract(
  name: DataContractName,
  fields: Readonly<Record<string, XmlValue>>,
): string {
  const keys = Object.keys(fields).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `<${name.root} xmlns:i="${XSI}" xmlns="${name.namespace}">${elements(fields, keys)}</${name.root}>`;
}

/** Writes Web API's `HttpError` (`<Error><Message>...</Message>...</Error>`), keys in order. */
export function writeHttpError(fields: Readonly<Record<string, XmlValue>>): string {
  const body = elements(fields, Object.keys(fields));
  return body.includes('i:nil')
    ? `<Error xmlns:i="${XSI}">${body}</Error>`
    : `<Error>${body}</Error>`;
}
