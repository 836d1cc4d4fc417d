/**
 * Hostile HTTP requests for the fuzz suites: fast-check arbitraries (random JSON, wrong
 * types, huge and deep bodies, bad content types, unicode in numbers, path tricks), a raw
 * keep-alive client (node:http, so paths are sent exactly as generated), and the
 * invariants every response must keep.
 */
import { Agent, request } from 'node:http';
import fc from 'fast-check';
import { errorCatalog } from '../../src/errors';

export interface Hostile {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

const phoneLike = fc.oneof(
  fc.constantFrom(
    '+12133734253',
    '+14155552671',
    '+447400123456',
    '+1 (213) 373-4253',
    '+١٢١٣٣٧٣٤٢٥٣', // Arabic-Indic digits
    '+１２１３３７３４２５３', // fullwidth digits
    '\u202e+12133734253', // right-to-left override
    '+1213373425\u0000',
    '+12133734253;ext=1',
    'tel:+12133734253',
    '+999999999999999',
    '',
    ' ',
  ),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.stringMatching(/^\+?[0-9 ()-]{0,24}$/),
);

const scalar = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  phoneLike,
);

const fieldValue = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 3 }) },
);

/** Objects with the routes' field names holding anything. */
const routeObject = fc.record(
  {
    phone: fieldValue,
    code: fc.oneof(fc.stringMatching(/^[0-9]{6}$/), fieldValue),
    channel: fc.oneof(fc.constantFrom('sms', 'voice', 'fax'), fieldValue),
    purpose: fieldValue,
    locale: fieldValue,
    template: fieldValue,
    consent: fc.oneof(
      fieldValue,
      fc.record({ text: fieldValue, version: fieldValue, source: fieldValue }),
    ),
    from: fieldValue,
    text: fc.oneof(fc.constantFrom('STOP', 'start', 'HELP', 'stop all'), fieldValue),
    silent: fieldValue,
    context: fieldValue,
    constructor: fc.constant({ prototype: { polluted: true } }),
  },
  { requiredKeys: [] },
);

const deep = fc
  .tuple(fc.integer({ min: 50, max: 5000 }), fc.constantFrom('[', '{"a":'))
  .map(([n, open]) => open.repeat(n) + (open === '[' ? ']' : '1}').repeat(n));

const body = fc.oneof(
  { weight: 6, arbitrary: routeObject.map((o) => JSON.stringify(o)) },
  { weight: 3, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '{',
      'null',
      '[]',
      '"x"',
      '{"phone":}',
      '\u0000',
      '{"__proto__":{"x":1}}',
    ),
  },
  { weight: 1, arbitrary: deep },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 16_000, max: 40_000 })
      .map((n) => JSON.stringify({ phone: '1'.repeat(n) })),
  },
);

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'APPLICATION/JSON',
      'application/jsonx',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/*',
      ';;;',
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const segment = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '%2e%2e',
    '%2F',
    '%00',
    '%zz',
    '%',
    '%E0%A4%A',
    '~',
    '%20',
    'check',
    'resend',
    '__proto__',
    'constructor',
  ),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,60}$/),
  fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
);

/** Paths under the mount point; `ids` are real verification ids to aim at. */
export function pathArb(ids: readonly string[]) {
  const id = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ids) },
    { weight: 2, arbitrary: segment },
    { weight: 1, arbitrary: fc.constant('A'.repeat(70)) },
    { weight: 1, arbitrary: fc.constant('x'.repeat(3000)) },
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('/verifications') },
    { weight: 3, arbitrary: id.map((i) => `/verifications/${i}/check`) },
    { weight: 2, arbitrary: id.map((i) => `/verifications/${i}/resend`) },
    { weight: 2, arbitrary: id.map((i) => `/verifications/${i}`) },
    { weight: 1, arbitrary: fc.constant('/inbound-sms') },
    {
      weight: 1,
      arbitrary: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(id, segment).map(([i, q]) => `/verifications/${i}?${q}=${q}`),
    },
    { weight: 1, arbitrary: id.map((i) => `//verifications//${i}//check`) },
  );
}

const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,40}$/);

export function hostileArb(ids: readonly string[]): fc.Arbitrary<Hostile> {
  return fc.record({
    method: fc.oneof(
      { weight: 6, arbitrary: fc.constant('POST') },
      { weight: 2, arbitrary: fc.constantFrom('GET', 'DELETE') },
      { weight: 1, arbitrary: fc.constantFrom('PUT', 'PATCH', 'OPTIONS', 'HEAD') },
    ),
    path: pathArb(ids),
    contentType,
    body: fc.option(body, { freq: 8, nil: undefined }),
    headers: fc.dictionary(
      fc.constantFrom(
        'x-device-id',
        'user-agent',
        'x-forwarded-for',
        'x-phoneproof-system',
        'x-phoneproof-timestamp',
        'x-phoneproof-signature',
        'accept',
      ),
      headerValue,
      { maxKeys: 3 },
    ),
  });
}

export interface RawReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** A keep-alive client sending requests exactly as generated. */
export function rawClient(base: string) {
  const url = new URL(base);
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const send = (h: Hostile): Promise<RawReply> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...h.headers };
      if (h.contentType !== undefined) headers['content-type'] = h.contentType;
      if (h.body !== undefined) headers['content-length'] = String(Buffer.byteLength(h.body));
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: h.method,
          path: url.pathname + h.path,
          headers,
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(h.body);
    });
  return { send, close: () => agent.destroy() };
}

/** The per-response invariants; returns a description of the first broken one. */
export function brokenInvariant(
  h: Hostile,
  r: RawReply,
  secretPhones: readonly string[],
): string | undefined {
  if (r.status >= 500 && r.status !== 503) return `status ${r.status}`;
  if (r.status < 100) return 'no status';
  const sent = `${h.path} ${h.body ?? ''}`;
  for (const p of secretPhones) {
    if (r.text.includes(p.slice(2)) && !sent.includes(p.slice(2))) return `leaked ${p}`;
  }
  if (h.method === 'HEAD' || r.text.length === 0) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(r.text);
  } catch {
    // Only the framework's own answers outside the routes (not found, Express's automatic
    // OPTIONS) may be something else.
    return r.status === 404 || h.method === 'OPTIONS'
      ? undefined
      : `not JSON: ${r.text.slice(0, 80)}`;
  }
  const error = (json as { error?: unknown }).error;
  if (typeof error === 'object' && error !== null) {
    const { code, message, retryAfter } = error as Record<string, unknown>;
    if (typeof code !== 'string' || !Object.hasOwn(errorCatalog, code))
      return `unknown code ${String(code)}`;
    if (typeof message !== 'string') return 'no message';
    const header = r.headers['retry-after'];
    if ((retryAfter === undefined) !== (header === undefined)) return 'Retry-After mismatch';
    if (retryAfter !== undefined && String(retryAfter) !== header)
      return 'Retry-After value mismatch';
  }
  return undefined;
}
