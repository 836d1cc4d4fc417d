/**
 * The Web-standard handler (`phoneproof/fetch`) on a real Node socket, for the shared HTTP,
 * fuzz and adversarial suites: a node:http server turns each request into a `Request`
 * (body streamed, never buffered here), calls the handler with `{ remoteAddress }` as its
 * platform info, and writes the `Response` back. A rejected handler (an app hook threw) is
 * the app's error handler: 500 `{ app: 'handled' }`, recorded in `appErrors`.
 *
 * The suites' hooks are written against a Node request (`req.headers[...]`,
 * `req.socket`): the mount hands them the Node request behind each `Request`. The mount's
 * `trustProxy` plays the platform's address rule: the app's `clientIp` takes the socket
 * peer, or walks X-Forwarded-For through the same trust Express would compile
 * (`ipThrough`); `true` passes no `clientIp`, so construction refuses it (IP budgets on).
 * @internal test helper
 */
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import express from 'express';
import {
  createHandler,
  type FetchHandlerOptions,
  type HttpResponse,
  type Operation,
  type ResponseInfo,
} from '../../adapters/fetch/index';
import { ipThrough, type TrustFunction } from '../../src/http/trust';
import type { AnyOptions, Mount } from './servers';

/** The platform info the bridge passes as the handler's second argument. */
export interface NodeInfo {
  readonly remoteAddress: string | undefined;
}

/** Express's compiled trust for a setting (the same semantics the Express mount gets). */
function trustOf(setting: boolean | number | string): TrustFunction {
  const app = express();
  app.set('trust proxy', setting);
  return app.get('trust proxy fn') as TrustFunction;
}

function toRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const bodyless = req.method === 'GET' || req.method === 'HEAD';
  return new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url}`, {
    method: req.method ?? 'GET',
    headers,
    ...(bodyless
      ? {}
      : { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' }),
  } as RequestInit);
}

/** The suite's hooks, given the Node request behind each `Request`. */
function nodeHooks(options: AnyOptions, nodeOf: (r: Request) => IncomingMessage) {
  const { authorize, context, mapResponse, clientIp, ...rest } = options;
  return {
    rest,
    clientIp: clientIp as ((req: IncomingMessage) => string | undefined) | undefined,
    hooks: {
      ...(authorize ? { authorize: (r: Request, op: Operation) => authorize(nodeOf(r), op) } : {}),
      ...(context ? { context: (r: Request) => context(nodeOf(r)) } : {}),
      ...(mapResponse
        ? {
            mapResponse: (res: HttpResponse, info: ResponseInfo<Request>) =>
              mapResponse(res, { ...info, request: nodeOf(info.request) }),
          }
        : {}),
    },
  };
}

export const fetchServer: Mount = async (verifier, options = {}, mount = {}) => {
  const prefix = mount.prefix ?? '/verify';
  const appErrors: unknown[] = [];
  const nodes = new WeakMap<Request, IncomingMessage>();
  const nodeOf = (r: Request) => nodes.get(r) as IncomingMessage;
  const { rest, clientIp, hooks } = nodeHooks(options, nodeOf);
  const trust = mount.trustProxy;
  const walk = trust === undefined || trust === true ? undefined : ipThrough(trustOf(trust));
  const resolve =
    clientIp !== undefined
      ? (r: Request) => clientIp(nodeOf(r))
      : trust === true
        ? undefined
        : (r: Request, info: NodeInfo) =>
            walk
              ? walk(info.remoteAddress ?? '', r.headers.get('x-forwarded-for') ?? '')
              : info.remoteAddress;
  const handlerOptions = {
    ...rest,
    ...hooks,
    basePath: prefix,
    ...(resolve ? { clientIp: resolve } : {}),
  } as FetchHandlerOptions<NodeInfo>;
  const handler = createHandler<NodeInfo>(verifier, handlerOptions);
  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const app = mount.appRoutes?.[path];
    try {
      let response: Response;
      if (app && req.method === 'POST') {
        const text = await new Response(Readable.toWeb(req) as ReadableStream).text();
        const r = await app({ url: req.url ?? '/', body: text ? JSON.parse(text) : undefined });
        response = Response.json(r.body, { status: r.status });
      } else {
        const request = toRequest(req);
        nodes.set(request, req);
        response = await handler(request, { remoteAddress: req.socket.remoteAddress });
      }
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (err) {
      appErrors.push(err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ app: 'handled' }));
    }
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((ok) => server.once('listening', ok));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}${prefix}`,
    appErrors,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
};
