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
import { createHttpHandler, type HttpExchange, type HttpHandler } from '../../src/http/handler';
import type { HttpOptions } from '../../src/http/options';
import type { Operation, RouteSpec } from '../../src/http/routes';
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

function exchange(req: Request, raw: WeakMap<object, Buffer>): HttpExchange<Request> {
  const appRaw = (req as { rawBody?: unknown }).rawBody;
  const id: unknown = req.params.id;
  return {
    request: req,
    method: req.method,
    url: req.originalUrl,
    protocol: req.protocol,
    id: typeof id === 'string' ? id : undefined,
    body: req.body,
    rawBody:
      raw.get(req) ??
      (appRaw instanceof Uint8Array || typeof appRaw === 'string' ? appRaw : undefined),
    headers: req.headers,
    ip: req.ip,
  };
}

function operationFor(method: string, path: string): Operation {
  if (method === 'GET') return 'status';
  if (method === 'DELETE') return 'cancel';
  if (path.endsWith('/check')) return 'check';
  if (path.endsWith('/resend')) return 'resend';
  return path.includes('inbound') ? 'inbound' : 'start';
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

function routeHandlers(
  h: HttpHandler<Request>,
  route: RouteSpec,
  json: RequestHandler,
  raw: WeakMap<object, Buffer>,
  guard: RequestHandler | undefined,
): RequestHandler[] {
  const run: RequestHandler = (req, res, next) => {
    h.handle(route, exchange(req, raw)).then((r) => send(res, r), next);
  };
  const first = guard ? [guard] : [];
  if (!route.body) return [...first, run];
  if (route.operation === 'inbound') {
    // Providers post form-encoded (Twilio, Vonage SMS API) or JSON (Vonage); the exact
    // bytes are kept for the signature.
    const keep = (req: object, _res: unknown, buf: Buffer) => void raw.set(req, buf);
    const requireBody: RequestHandler = (req, res, next) => {
      if (hasBody(req) && !isJson(req) && !isForm(req)) {
        send(res, h.fail(route.operation, req, verifyError('unsupported_media_type')));
        return;
      }
      next();
    };
    return [
      ...first,
      requireBody,
      express.json({ limit: h.bodyLimit, type: 'application/json', verify: keep }),
      express.urlencoded({
        limit: h.bodyLimit,
        extended: false,
        parameterLimit: 100,
        type: 'application/x-www-form-urlencoded',
        verify: keep,
      }),
      run,
    ];
  }
  const requireJson: RequestHandler = (req, res, next) => {
    if (hasBody(req) && !isJson(req)) {
      send(res, h.fail(route.operation, req, verifyError('unsupported_media_type')));
      return;
    }
    next();
  };
  return [...first, requireJson, json, run];
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
  const json = express.json({
    limit: h.bodyLimit,
    type: 'application/json',
    ...(options.signatures
      ? { verify: (req: object, _res: unknown, buf: Buffer) => void raw.set(req, buf) }
      : {}),
  });
  const guard = ipGuardNeeded(verifier, options.clientIp) ? trustGuard() : undefined;
  const router = express.Router();
  for (const route of h.routes) {
    const handlers = routeHandlers(h, route, json, raw, guard);
    if (route.method === 'GET') router.get(route.path, ...handlers);
    else if (route.method === 'DELETE') router.delete(route.path, ...handlers);
    else router.post(route.path, ...handlers);
  }
  // Body-reading and path-decoding failures are expected input errors: answer them here.
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    const mapped = bodyErrorOf(err);
    if (mapped === undefined) return next(err);
    send(res, h.fail(operationFor(req.method, req.path), req, mapped));
  });
  return router;
}
