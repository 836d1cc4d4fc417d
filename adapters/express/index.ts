/**
 * `phoneproof/express`: the whole verification lifecycle as an Express router.
 *
 * ```ts
 * import { verificationRouter } from 'phoneproof/express';
 * app.use('/verify', verificationRouter(verifier, { authorize: (req) => Boolean(req.user) }));
 * ```
 *
 * The router parses its own JSON bodies (size-limited), answers every expected failure
 * itself with `{ error: { code, message, retryAfter?, attemptsLeft? } }`, and passes only
 * real faults (an exception thrown by your `authorize` or `context`) to your error handler.
 * Written for Express 5; async work is settled inside the handlers, so Express 4.16+
 * behaves the same. See `docs/express.md`.
 * @module
 */
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import { verifyError } from '../../src/errors';
import type { HttpResponse } from '../../src/http/errors';
import { createHttpHandler, type HttpHandler, type RoutedRequest } from '../../src/http/handler';
import type { HttpOptions } from '../../src/http/options';
import { splitTarget } from '../../src/http/request';
import { matchRoute } from '../../src/http/route';
import type { Route } from '../../src/http/routes';
import {
  ipGuardNeeded,
  ipThrough,
  type TrustFunction,
  trustAllMessage,
  trustsEveryHop,
} from '../../src/http/trust';
import type { Verifier } from '../../src/verifier/types';
import { bodyErrorOf, hasBody, isForm, isJson } from './body';

export type { HttpResponse } from '../../src/http/errors';
export type { InboundAuth } from '../../src/http/inbound';
export type { ResponseInfo } from '../../src/http/options';
export type { Operation } from '../../src/http/routes';

/** Options of `verificationRouter`; hooks receive Express's `Request`. */
export type VerificationRouterOptions = HttpOptions<Request>;

function send(res: Response, r: HttpResponse): void {
  res.status(r.status);
  if (r.headers) res.set(r.headers);
  res.json(r.body);
}

function routed(
  route: Route,
  req: Request,
  raw: WeakMap<object, Buffer>,
  ips: WeakMap<object, string | undefined>,
): RoutedRequest<Request> {
  const appRaw = (req as { rawBody?: unknown }).rawBody;
  return {
    route,
    native: req,
    method: req.method,
    ...splitTarget(req.originalUrl),
    params: req.params as Record<string, string | undefined>,
    body: req.body,
    // The bytes the router's parser or the app's kept; none on the wire: the empty body (a
    // global parser of Express 4 sets `req.body = {}` even then). A parsed body without
    // its bytes is refused where a signature must cover it (src/http/config.ts).
    rawBody:
      raw.get(req) ??
      (appRaw instanceof Uint8Array || typeof appRaw === 'string' ? appRaw : undefined) ??
      (hasBody(req) ? undefined : ''),
    headers: req.headers,
    ip: ips.get(req) ?? req.ip,
  };
}

/**
 * Reads the client address as the request enters the router: Node forgets a socket's peer
 * once the client resets the connection, which it can do right after sending the request,
 * before the route runs. Reading it here keeps `req.ip` (and `req.socket.remoteAddress`,
 * which Node then caches, for a `clientIp` hook); a request that still has none is refused
 * (src/http/context.ts).
 */
function captureAddress(ips: WeakMap<object, string | undefined>): RequestHandler {
  return (req, _res, next) => {
    try {
      ips.set(req, req.ip);
    } catch {
      // a trust function that throws breaks `req.ip` itself: the route reads it again
    }
    next();
  };
}

/**
 * Fails closed while the app trusts every proxy hop: a router does not know the app's
 * `trust proxy` setting until a request arrives through it, so each request checks the
 * setting (one probe per trust function) and, when it trusts every hop, goes to the app's
 * error handler (500) with the error saying why and how; a process warning says so once.
 */
function trustGuard(): RequestHandler {
  const verdicts = new WeakMap<object, boolean>();
  const error = new TypeError(trustAllMessage('express'));
  let warned = false;
  return (req, _res, next) => {
    const trust: unknown = req.app.get('trust proxy fn');
    if (typeof trust !== 'function') return next();
    let all = verdicts.get(trust);
    if (all === undefined) {
      try {
        all = trustsEveryHop(ipThrough(trust as TrustFunction));
      } catch {
        all = false; // a trust function that throws breaks `req.ip` itself
      }
      verdicts.set(trust, all);
    }
    if (!all) return next();
    if (!warned) {
      warned = true;
      process.emitWarning(error.message, { code: 'PHONEPROOF_TRUST_PROXY' });
    }
    next(error);
  };
}

/** Body parsers of a route: JSON (and forms where the route takes them), bytes kept as needed. */
function parsers(route: Route, h: HttpHandler<Request>, keep: KeepRaw): RequestHandler[] {
  const body = route.body;
  if (body === undefined) return [];
  const verify = body.raw || keep.always ? { verify: keep.verify } : {};
  const limit = h.bodyLimit;
  const accepts = (req: Request) => isJson(req) || (body.form === true && isForm(req));
  const media: RequestHandler = (req, res, next) => {
    if (hasBody(req) && !accepts(req)) {
      send(res, h.fail(route, req, verifyError('unsupported_media_type')));
      return;
    }
    next();
  };
  const json = express.json({ limit, type: 'application/json', ...verify });
  if (!body.form) return [media, json];
  // Providers post form-encoded (Twilio, Vonage SMS API) or JSON (Vonage).
  const form = express.urlencoded({
    limit,
    extended: false,
    parameterLimit: 100,
    type: 'application/x-www-form-urlencoded',
    ...verify,
  });
  return [media, json, form];
}

/** Where the exact body bytes are kept (signed requests, the inbound webhook's signature). */
interface KeepRaw {
  readonly always: boolean;
  verify(req: object, res: unknown, buf: Buffer): void;
}

/**
 * Builds the router. Throws (once, here) on misconfiguration: a missing verifier, a hook
 * that is not a function, a bad `bodyLimit`, or bad `signatures`. An app that trusts every
 * proxy hop (`trust proxy: true`) while the verifier has per-IP budgets and no `clientIp`
 * is given is only known at the first request: every request then fails closed (500).
 */
export function verificationRouter(
  verifier: Verifier,
  options: VerificationRouterOptions = {},
): Router {
  const h = createHttpHandler<Request>(verifier, options);
  const raw = new WeakMap<object, Buffer>();
  const keep: KeepRaw = {
    always: options.signatures !== undefined,
    verify: (req, _res, buf) => void raw.set(req, buf),
  };
  const guard = ipGuardNeeded(verifier, options.clientIp) ? [trustGuard()] : [];
  const ips = new WeakMap<object, string | undefined>();
  const router = express.Router();
  router.use(captureAddress(ips));
  for (const route of h.routes) {
    const run: RequestHandler = (req, res, next) => {
      h.handle(routed(route, req, raw, ips)).then((r) => send(res, r), next);
    };
    // Body-reading failures are expected input errors of this very route: answered here.
    const onError = (err: unknown, req: Request, res: Response, next: NextFunction) => {
      const mapped = bodyErrorOf(err);
      if (mapped === undefined) return next(err);
      send(res, h.fail(route, req, mapped));
    };
    const handlers = [...guard, ...parsers(route, h, keep), run, onError];
    if (route.method === 'GET') router.get(route.path, ...handlers);
    else if (route.method === 'DELETE') router.delete(route.path, ...handlers);
    else router.post(route.path, ...handlers);
  }
  // A path that fails to decode never reaches its route: the table names the route it was for.
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    const mapped = bodyErrorOf(err);
    const route =
      matchRoute(h.routes, req.method, req.path) ?? matchRoute(h.routes, undefined, req.path);
    if (mapped === undefined || route === undefined) return next(err);
    send(res, h.fail(route, req, mapped));
  });
  return router;
}
