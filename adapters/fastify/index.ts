/**
 * `phoneproof/fastify`: the whole verification lifecycle as a Fastify plugin.
 *
 * ```ts
 * import { verificationPlugin } from 'phoneproof/fastify';
 * await app.register(verificationPlugin, { verifier, prefix: '/verify' });
 * ```
 *
 * Wrapped with fastify-plugin (`fastify: '5.x'`, name `phoneproof`); options are checked
 * at registration. The routes live in their own encapsulated context (so `prefix`, the
 * error handler and the JSON parser stay inside it), with JSON Schemas for every body,
 * path parameter and response: validation and fast serialization the Fastify way.
 * See `docs/fastify.md`.
 * @module
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { verifyError } from '../../src/errors';
import type { HttpResponse } from '../../src/http/errors';
import { createHttpHandler, type HttpHandler } from '../../src/http/handler';
import { isFormUtf8, isJsonUtf8 } from '../../src/http/media';
import type { HttpOptions } from '../../src/http/options';
import type { Operation, RouteSpec } from '../../src/http/routes';
import { bodySchemas, idParams, responseSchemas } from '../../src/http/schemas';
import { ipGuardNeeded, trustAllMessage, trustsEveryHop } from '../../src/http/trust';
import type { Verifier } from '../../src/verifier/types';
import { frameworkErrorOf, unsupportedCharset } from './errors';
import { fastifyIpOf } from './trust';

export type { HttpResponse } from '../../src/http/errors';
export type { InboundAuth } from '../../src/http/inbound';
export type { ResponseInfo } from '../../src/http/options';
export type { Operation } from '../../src/http/routes';

export interface VerificationPluginOptions extends HttpOptions<FastifyRequest> {
  /** The verifier made by `createVerifier`. */
  readonly verifier: Verifier;
  /** Mount point of the routes, e.g. `/verify` (default: the registering context's root). */
  readonly prefix?: string;
}

function send(reply: FastifyReply, r: HttpResponse): FastifyReply {
  reply.code(r.status);
  if (r.headers) reply.headers(r.headers);
  return reply.send(r.body);
}

function operationOf(request: FastifyRequest): Operation {
  const config = request.routeOptions.config as { phoneproof?: Operation } | undefined;
  return config?.phoneproof ?? 'start';
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

function routeSchema(route: RouteSpec, withResponses: boolean) {
  const body = bodySchemas[route.operation];
  return {
    ...(route.path.includes(':id') ? { params: idParams } : {}),
    // Per content type: a request without a body is left to the handler (as in Express).
    ...(body ? { body: { content: { 'application/json': { schema: body } } } } : {}),
    // The success body only: error bodies may come from the app's own error handler too.
    ...(withResponses ? { response: { [route.status]: responseSchemas[route.operation] } } : {}),
  };
}

function routes(
  scope: FastifyInstance,
  h: HttpHandler<FastifyRequest>,
  raw: WeakMap<object, Buffer>,
  withResponses: boolean,
): void {
  for (const route of h.routes) {
    scope.route({
      method: route.method,
      url: route.path,
      bodyLimit: h.bodyLimit,
      config: { phoneproof: route.operation },
      schema: routeSchema(route, withResponses),
      handler: async (request, reply) => {
        const r = await h.handle(route, {
          request,
          method: request.method,
          url: request.url,
          protocol: request.protocol,
          id: (request.params as { id?: string } | undefined)?.id,
          body: request.body,
          rawBody: raw.get(request),
          headers: request.headers,
          ip: request.ip,
        });
        return send(reply, r);
      },
    });
  }
}

/**
 * Throws when the instance trusts every proxy hop (a client would pick its own
 * `request.ip`, voiding per-IP budgets), or when its trust cannot be read (fail closed).
 */
function refuseTrustAll(fastify: FastifyInstance): void {
  const ipOf = fastifyIpOf(fastify);
  if (ipOf === undefined) {
    throw new TypeError(
      "phoneproof: cannot read this Fastify version's trustProxy setting, so per-IP budgets " +
        'may be spoofable. Pass your own `clientIp: (request) => ip` resolver (see docs/fastify.md).',
    );
  }
  let all: boolean;
  try {
    all = trustsEveryHop(ipOf);
  } catch {
    all = false; // a trust function that throws breaks `request.ip` itself
  }
  if (all) throw new TypeError(trustAllMessage('fastify'));
}

async function phoneproofPlugin(
  fastify: FastifyInstance,
  options: VerificationPluginOptions,
): Promise<void> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('phoneproof: register verificationPlugin with { verifier }.');
  }
  const { verifier, prefix, ...rest } = options;
  if (
    prefix !== undefined &&
    (typeof prefix !== 'string' || (prefix !== '' && !prefix.startsWith('/')))
  ) {
    throw new TypeError('phoneproof: `prefix` must be a path starting with "/".');
  }
  const h = createHttpHandler<FastifyRequest>(verifier, rest);
  if (ipGuardNeeded(verifier, rest.clientIp)) refuseTrustAll(fastify);
  const raw = new WeakMap<object, Buffer>();

  // Encapsulated: the prefix, the JSON parser and the error handler apply to these routes only.
  await fastify.register(
    async (scope) => {
      // JSON only (any other body is 415), parsed by Fastify's own safe parser; the exact
      // bytes are kept when signatures need them.
      const parse = scope.getDefaultJsonParser('error', 'error');
      scope.removeAllContentTypeParsers();
      const utf8 = (req: FastifyRequest) => isJsonUtf8(req.headers['content-type']);
      const inbound = (req: FastifyRequest) => operationOf(req) === 'inbound';
      if (rest.signatures || rest.inbound) {
        scope.addContentTypeParser(
          'application/json',
          { parseAs: 'buffer' },
          (req: FastifyRequest, body: Buffer | string, done) => {
            if (!utf8(req)) return done(unsupportedCharset(), undefined);
            if (rest.signatures || inbound(req)) raw.set(req, body as Buffer);
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
      if (rest.inbound) {
        // Providers post their webhooks form-encoded: accepted on the inbound route only.
        scope.addContentTypeParser(
          'application/x-www-form-urlencoded',
          { parseAs: 'buffer' },
          (req: FastifyRequest, body: Buffer | string, done) => {
            if (!inbound(req) || !isFormUtf8(req.headers['content-type'])) {
              return done(unsupportedCharset(), undefined);
            }
            raw.set(req, body as Buffer);
            done(null, formFields(body.toString()));
          },
        );
      }
      scope.setErrorHandler((error: FastifyError, request, reply) => {
        const refusal = error.validation
          ? verifyError('invalid_request', { message: error.message })
          : frameworkErrorOf(error);
        if (refusal === undefined) throw error; // not an input error: the app's error handler
        return send(reply, h.fail(operationOf(request), request, refusal));
      });
      routes(scope, h, raw, rest.mapResponse === undefined);
    },
    { prefix: prefix ?? '' },
  );
}

/**
 * The plugin. Register it with `{ verifier, prefix?, authorize?, clientIp?, context?,
 * mapResponse?, signatures?, bodyLimit?, deviceIdHeader?, now? }`; registration fails with
 * a clear TypeError on misconfiguration, including an instance that trusts every proxy hop
 * (`trustProxy: true`) while the verifier has per-IP budgets and no `clientIp` is given.
 */
export const verificationPlugin = fp(phoneproofPlugin, {
  fastify: '5.x',
  name: 'phoneproof',
});

export default verificationPlugin;
