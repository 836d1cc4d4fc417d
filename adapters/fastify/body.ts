/**
 * The Fastify plugin's body parsers: JSON only (any other body is 415), parsed by Fastify's
 * own safe parser, in UTF-8; form-encoded bodies only on the routes that take them (the
 * inbound webhook); the exact bytes kept where a signature needs them. @internal
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isFormUtf8, isJsonUtf8 } from '../../src/http/media';
import type { Route } from '../../src/http/routes';
import { unsupportedCharset } from './errors';

/** The table route a request was routed to (undefined outside the plugin's routes). */
export function routeOf(request: FastifyRequest): Route | undefined {
  const config = request.routeOptions.config as { phoneproof?: Route } | undefined;
  return config?.phoneproof;
}

/** A form body as name → value (a repeated name → every value). */
function formFields(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of new URLSearchParams(text)) {
    const had = out[k];
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return out;
}

/**
 * Replaces the scope's parsers. `raw` receives the bytes of every body when `signatures`
 * is on, else of the routes whose body is `raw`.
 */
export function addBodyParsers(
  scope: FastifyInstance,
  routes: readonly Route[],
  raw: WeakMap<object, Buffer>,
  signatures: boolean,
): void {
  const parse = scope.getDefaultJsonParser('error', 'error');
  scope.removeAllContentTypeParsers();
  const utf8 = (req: FastifyRequest) => isJsonUtf8(req.headers['content-type']);
  const keepsRaw = (req: FastifyRequest) => signatures || routeOf(req)?.body?.raw === true;
  if (signatures || routes.some((r) => r.body?.raw)) {
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer' },
      (req: FastifyRequest, body: Buffer | string, done) => {
        if (!utf8(req)) return done(unsupportedCharset(), undefined);
        if (keepsRaw(req)) raw.set(req, body as Buffer);
        parse(req, body as string, done);
      },
    );
  } else {
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'string' },
      (req: FastifyRequest, body: Buffer | string, done) => {
        if (!utf8(req)) return done(unsupportedCharset(), undefined);
        parse(req, body as string, done);
      },
    );
  }
  if (!routes.some((r) => r.body?.form)) return;
  // Providers post their webhooks form-encoded: accepted on those routes only.
  scope.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer' },
    (req: FastifyRequest, body: Buffer | string, done) => {
      if (routeOf(req)?.body?.form !== true || !isFormUtf8(req.headers['content-type'])) {
        return done(unsupportedCharset(), undefined);
      }
      raw.set(req, body as Buffer);
      done(null, formFields(body.toString()));
    },
  );
}
