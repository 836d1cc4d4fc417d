/**
 * The framework-neutral core behind every HTTP adapter: `handle(request)` takes a request
 * already routed to one entry of the route table and answers it (signature check,
 * `authorize`, input, the verifier call, one mapping of its Result to a response). An
 * adapter only does its framework's routing and body parsing, turns the request into an
 * `HttpRequest` and writes the returned `HttpResponse`. @internal
 * @module
 */
import type { VerifyError } from '../errors';
import type { RequestContext, Verifier } from '../verifier/types';
import { httpConfig, refusal } from './config';
import { errorResponse, type HttpResponse } from './errors';
import { shapeInput } from './input';
import type { HttpOptions } from './options';
import type { HttpRequest } from './request';
import type { Route } from './routes';

/** A request routed to one entry of the route table. */
export interface RoutedRequest<Req> extends HttpRequest<Req> {
  readonly route: Route;
}

export interface HttpHandler<Req> {
  /** The routes to mount (the inbound webhook only when `inbound` is configured). */
  readonly routes: readonly Route[];
  readonly bodyLimit: number;
  /** Answers one request. Rejects only when an app hook (`authorize`, `context`) throws. */
  handle(request: RoutedRequest<Req>): Promise<HttpResponse>;
  /** The response for a refusal made outside `handle` (body errors), through `mapResponse`. */
  fail(route: Route, native: Req, error: VerifyError): HttpResponse;
}

/** Builds the handler; throws on misconfiguration. */
export function createHttpHandler<Req>(
  verifier: Verifier,
  options: HttpOptions<Req> = {},
): HttpHandler<Req> {
  const config = httpConfig(verifier, options);
  const { mapResponse, now } = config;

  const finish = (
    route: Route,
    request: Req,
    response: HttpResponse,
    outcome: { error: VerifyError } | { result: unknown },
  ): HttpResponse =>
    mapResponse
      ? mapResponse(response, { operation: route.operation, request, ...outcome })
      : response;

  const fail = (route: Route, native: Req, error: VerifyError) =>
    finish(route, native, errorResponse(error), { error });

  const input = async (route: Route, request: RoutedRequest<Req>) => {
    const deps = {
      context: undefined as RequestContext | undefined,
      inbound: config.inbound,
      consentSource: config.consentSource,
      now: now(),
    };
    if (route.input) return route.input(request, deps);
    deps.context = await config.contextOf(request);
    const shaped = shapeInput(route.path, route.body, request, deps);
    return route.extras ? shaped.map((i) => route.extras!(i, request, deps)) : shaped;
  };

  return {
    routes: config.routes,
    bodyLimit: config.bodyLimit,
    fail,
    async handle(request) {
      const { route, native } = request;
      const refused = await refusal(config, route, request);
      if (refused) return fail(route, native, refused);
      const read = await input(route, request);
      if (read.isErr()) return fail(route, native, read.error);
      const result = await route.call(verifier, read.value);
      if (result.isErr()) return fail(route, native, result.error);
      const at = { now: now(), statusShowsPhone: config.statusShowsPhone };
      const response = { status: route.status, body: route.respond(result.value, at) };
      return finish(route, native, response, { result: result.value });
    },
  };
}
