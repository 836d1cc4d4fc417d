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
import type { HttpOptions } from '../../src/http/options';
import { splitTarget } from '../../src/http/request';
import type { Route } from '../../src/http/routes';
import { idParams } from '../../src/http/schemas';
import { ipGuardNeeded, trustAllMessage, trustsEveryHop } from '../../src/http/trust';
import type { Verifier } from '../../src/verifier/types';
import { addBodyParsers, routeOf } from './body';
import { frameworkErrorOf } from './errors';
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

function routeSchema(route: Route, withResponses: boolean) {
  const body = route.body?.schema;
  return {
    ...(route.path.includes(':id') ? { params: idParams } : {}),
    // Per content type: a request without a body is left to the handler (as in Express).
    ...(body ? { body: { content: { 'application/json': { schema: body } } } } : {}),
    // The success body only: error bodies may come from the app's own error handler too.
    ...(withResponses ? { response: { [route.status]: route.response } } : {}),
  };
}

/**
 * Reads the client address as the request arrives (`onRequest`, before the body): Node
 * forgets a socket's peer once the client resets the connection, which it can do right
 * after sending the request, before the route runs. A request that still has none is
 * refused (src/http/context.ts).
 */
function captureAddress(scope: FastifyInstance, ips: WeakMap<object, string | undefined>): void {
  scope.addHook('onRequest', (request, _reply, done) => {
    ips.set(request, request.ip);
    done();
  });
}

function routes(
  scope: FastifyInstance,
  h: HttpHandler<FastifyRequest>,
  raw: WeakMap<object, Buffer>,
  withResponses: boolean,
): void {
  const ips = new WeakMap<object, string | undefined>();
  captureAddress(scope, ips);
  for (const route of h.routes) {
    scope.route({
      method: route.method,
      url: route.path,
      bodyLimit: h.bodyLimit,
      config: { phoneproof: route },
      schema: routeSchema(route, withResponses),
      handler: async (request, reply) => {
        const r = await h.handle({
          route,
          native: request,
          method: request.method,
          ...splitTarget(request.url),
          params: (request.params ?? {}) as Record<string, string | undefined>,
          body: request.body,
          rawBody: raw.get(request),
          headers: request.headers,
          ip: ips.get(request) ?? request.ip,
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
      addBodyParsers(scope, h.routes, raw, rest.signatures !== undefined);
      scope.setErrorHandler((error: FastifyError, request, reply) => {
        const refusal = error.validation
          ? verifyError('invalid_request', { message: error.message })
          : frameworkErrorOf(error);
        const route = routeOf(request);
        // Not an input error of one of these routes: the app's error handler.
        if (refusal === undefined || route === undefined) throw error;
        return send(reply, h.fail(route, request, refusal));
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
