/**
 * The formats a client built from the ServiceStack page uses: JSON, or JSV (the page's
 * sample) with `Content-Type: text/jsv`, or any text body when the URL says `?format=jsv`;
 * answers in JSV when `?format=jsv` or `Accept: text/jsv` asks for it, JSON otherwise.
 * Malformed JSV is refused like malformed JSON: a 400 in the result shape.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type JsvValue, readJsv, writeJsv } from './jsv';

const formatOf = (req: FastifyRequest) => (req.query as { format?: unknown } | undefined)?.format;

/** JSV has no types: the DTO's number field is read from its text. */
function typed(v: JsvValue): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const ts = v.requestUnixUTCTimeStamp;
  return typeof ts === 'string' && /^\d{1,15}$/.test(ts)
    ? { ...v, requestUnixUTCTimeStamp: Number(ts) }
    : v;
}

type Done = (err: Error | null, body?: unknown) => void;
function parseJsv(text: string, done: Done): void {
  const read = readJsv(text);
  if (typeof read === 'string') {
    done(Object.assign(new Error(read), { statusCode: 400 }));
    return;
  }
  done(null, typed(read.value));
}

/** Registers the JSV body parser (and `?format=jsv` for text bodies). */
export function acceptJsv(app: FastifyInstance): void {
  app.addContentTypeParser('text/jsv', { parseAs: 'string' }, (_req, body, done) =>
    parseJsv(String(body), done),
  );
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (req, body, done) => {
    if (formatOf(req) === 'jsv') parseJsv(String(body), done);
    else done(null, String(body));
  });
}

/** Whether the answer is JSV: `?format=jsv`, or `text/jsv` before any JSON type in `Accept`. */
export function wantsJsv(req: FastifyRequest): boolean {
  const format = formatOf(req);
  if (format === 'jsv') return true;
  if (format === 'json') return false;
  const accept = (req.headers.accept ?? '').toLowerCase();
  const jsv = accept.indexOf('text/jsv');
  const json = accept.search(/application\/json|text\/json/);
  return jsv >= 0 && (json < 0 || jsv < json);
}

/** Sends `body` in the format the request asked for. */
export function sendAs(reply: FastifyReply, body: Readonly<Record<string, unknown>>) {
  if (!wantsJsv(reply.request)) return reply.send(body);
  return reply.type('text/jsv; charset=utf-8').send(writeJsv(body));
}
