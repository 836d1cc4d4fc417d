/**
 * `phoneproof/fetch`: the whole verification lifecycle as one Web-standard handler,
 * `(request: Request, info?) => Promise<Response>`, for every runtime that speaks `Request`
 * and `Response` (Hono, Next.js route handlers, Bun, Deno, Cloudflare Workers, Node 18+).
 *
 * ```ts
 * import { createHandler } from 'phoneproof/fetch';
 * const handler = createHandler(verifier, {
 *   basePath: '/verify',
 *   clientIp: (request) => request.headers.get('cf-connecting-ip') ?? undefined,
 * });
 * export default { fetch: handler };
 * ```
 *
 * The same routes, options, errors and signed requests as the Express router, from the
 * same route table. There is no framework proxy setting to read, so the client IP comes
 * from the app's `clientIp(request, info)`: with per-IP budgets on, construction refuses a
 * handler without one (X-Forwarded-For is never read by default). Web APIs only. See
 * `docs/fetch.md`.
 * @module
 */
import { type VerifyError, verifyError } from '../../src/errors';
import { errorResponse } from '../../src/http/errors';
import { createHttpHandler, type HttpHandler } from '../../src/http/handler';
import type { HttpOptions } from '../../src/http/options';
import { matchRoute } from '../../src/http/route';
import type { Verifier } from '../../src/verifier/types';
import { readBody } from './body';
import { toResponse } from './response';
import { basePathOf, noClientIpMessage, paramsOf, stripBase, UNSAFE_SHARED_IP } from './routing';

export type { HttpResponse } from '../../src/http/errors';
export type { InboundAuth } from '../../src/http/inbound';
export type { ResponseInfo } from '../../src/http/options';
export type { Operation } from '../../src/http/routes';

/** Options of `createHandler`; hooks receive the Web `Request`. */
export interface FetchHandlerOptions<Info = unknown>
  extends Omit<HttpOptions<Request>, 'clientIp'> {
  /** Where the routes live, e.g. `/verify` (default: the root; match on whole segments). */
  readonly basePath?: string;
  /**
   * The client's IP, from where your platform puts it: `request.headers.get(
   * 'cf-connecting-ip')` on Cloudflare, `server.requestIP(request)?.address` on Bun,
   * `info.remoteAddr.hostname` on Deno. `info` is the handler's second argument, passed
   * through. Required while the verifier has per-IP budgets (unless `context` is given or
   * `unsafeSharedRequester` is set). You answer for the address it returns.
   */
  readonly clientIp?: (request: Request, info: Info) => string | undefined;
  /**
   * Counts every caller as ONE anonymous requester (all share the per-IP budgets): for a
   * platform that exposes no client address. Never reads a forwarded header.
   */
  readonly unsafeSharedRequester?: true;
}

/** The handler: a `Request` in, a `Response` out. Rejects only when an app hook throws. */
export type FetchHandler<Info = unknown> = (request: Request, info?: Info) => Promise<Response>;

/** Lower-case header record, as Node hands headers to the shared core. */
function headerRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

function notFound(head: boolean): Response {
  return toResponse(errorResponse(verifyError('not_found')), head);
}

/**
 * Builds the handler. Throws (once, here) on misconfiguration: a missing verifier, a hook
 * that is not a function, a bad `bodyLimit`, `basePath` or `signatures`, or per-IP budgets
 * on with no `clientIp` (nor `context`, nor `unsafeSharedRequester`).
 */
export function createHandler<Info = unknown>(
  verifier: Verifier,
  options: FetchHandlerOptions<Info> = {},
): FetchHandler<Info> {
  const { basePath, clientIp, unsafeSharedRequester, ...rest } = options;
  const h = createHttpHandler<Request>(verifier, rest);
  const base = basePathOf(basePath);
  if (clientIp !== undefined && typeof clientIp !== 'function') {
    throw new TypeError('phoneproof: `clientIp` must be a function (request, info) => ip.');
  }
  if (unsafeSharedRequester !== undefined && unsafeSharedRequester !== true) {
    throw new TypeError('phoneproof: `unsafeSharedRequester` must be true when given.');
  }
  // The address is what binds a verification to its requester (a device id header is the
  // client's to drop), so it is required whether or not per-IP budgets are on: without it a
  // caller would be the anonymous requester, which may act on any verification.
  if ((clientIp ?? rest.context ?? unsafeSharedRequester) === undefined) {
    throw new TypeError(noClientIpMessage);
  }
  // A request for which `clientIp` finds no address is refused by the shared core, as in
  // every adapter (`withRequester`, src/http/context.ts).
  const ipOf = (request: Request, info: Info | undefined) => {
    if (clientIp === undefined) return unsafeSharedRequester ? UNSAFE_SHARED_IP : undefined;
    return clientIp(request, info as Info);
  };
  return (request, info) =>
    answer(h, { base, ipOf, keepRaw: rest.signatures !== undefined }, request, info);
}

interface Mounted<Info> {
  readonly base: string;
  readonly keepRaw: boolean;
  ipOf(request: Request, info: Info | undefined): string | undefined;
}

async function answer<Info>(
  h: HttpHandler<Request>,
  m: Mounted<Info>,
  request: Request,
  info: Info | undefined,
): Promise<Response> {
  const url = new URL(request.url);
  const head = request.method === 'HEAD';
  const local = m.base === '' ? url.pathname : stripBase(url.pathname, m.base);
  if (local === undefined) return notFound(head);
  const route = matchRoute(h.routes, request.method, local);
  if (route === undefined) return notFound(head);
  const params = paramsOf(route.path, local);
  if (params === undefined) return toResponse(h.fail(route, request, pathError()), head);
  const read = route.body
    ? await readBody(request, {
        form: route.body.form === true,
        keepRaw: m.keepRaw || route.body.raw === true,
        limit: h.bodyLimit,
      })
    : undefined;
  if (read?.isErr()) return toResponse(h.fail(route, request, read.error), head);
  const body = read?.isOk() ? read.value : { body: undefined, raw: undefined };
  const r = await h.handle({
    route,
    native: request,
    method: request.method,
    path: url.pathname,
    query: url.search,
    params,
    headers: headerRecord(request.headers),
    body: body.body,
    rawBody: body.raw,
    ip: m.ipOf(request, info),
  });
  return toResponse(r, head);
}

const pathError = (): VerifyError =>
  verifyError('invalid_request', { message: 'The request path is not valid.' });
