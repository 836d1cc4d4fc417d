/**
 * The server side of `bench/http.ts`, run in a child process so the load generator does not
 * share its CPU. One app per framework of the registry (test/registry.ts FRAMEWORKS; the
 * type demands an app here for each) with three routes answering the same kind of request:
 * the adapter's check route (`/verify/verifications/:id/check`); a bare route of the same
 * framework (`/bare/verifications/:id/check`) written by hand: it parses the JSON body,
 * calls `verifier.check` and returns a similar JSON body; and a no-op route
 * (`/noop/verifications/:id/check`) returning that body without verifying anything, to
 * show the verifier's own share. Before listening it starts `count`
 * verifications (distinct phones) and sends their (id, code) pairs to the parent; on
 * `{ cpu: true }` it replies with its own CPU time, so rates can also be per CPU-second.
 * Usage (by bench/http.ts only): tsx bench/http-server.ts <framework> <count>
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import express from 'express';
import Fastify from 'fastify';
import { verificationRouter } from '../adapters/express/index';
import { verificationPlugin } from '../adapters/fastify/index';
import { createHandler } from '../adapters/fetch/index';
import { memoryStore } from '../adapters/memory/index';
import { checkResponseSchema, idParams } from '../src/http/schemas';
import { createVerifier, httpStatus, type Sender } from '../src/index';
import type { FrameworkName } from '../test/registry';

const framework = process.argv[2];
const count = Number(process.argv[3] ?? 10_000);
let lastCode = '';
const sender: Sender = {
  send: async (m) => {
    lastCode = m.code;
    return { ok: true, messageId: 'bench' };
  },
};
const verifier = createVerifier({
  secret: 'bench-secret-bench-secret-bench-secret',
  store: memoryStore(),
  sender,
  policy: { sendWindows: [{ windowMs: 60_000, max: 1_000_000 }] },
  unsafe: { weakPolicy: true }, // those windows are below the policy floor
  // The benchmark measures the adapters: no abuse-shield prefix limits, and no proof token
  // (signing one costs more than the rest of a check, which would hide the adapter's cost).
  abuse: false,
  proof: false,
});

/** The requester the HTTP adapters derive for a client on 127.0.0.1. */
const LOOPBACK = { ip: '127.0.0.1' };

const pairs: [string, string][] = [];
for (let i = 0; pairs.length < count; i += 1) {
  // Started as the loopback requester the adapters see (a verification answers only its own
  // requester), so both routes check the same verifications.
  const s = await verifier.start({
    phone: `+1213${String(2_000_000 + i).padStart(7, '0')}`,
    context: LOOPBACK,
  });
  if (s.isErr()) throw new Error(`bench setup: start refused (${s.error.code})`);
  pairs.push([s.value.id, lastCode]);
}

const noop = (id: string) => ({
  status: 'approved',
  id,
  to: '+1 ••• ••• ••53',
  purpose: 'verify',
  verifiedAt: Date.now(),
});

/** The hand-written route's work: check, then a similar body (or a catalog error). */
async function bare(id: string, code: unknown) {
  const r = await verifier.check({ id, code: code as string, context: LOOPBACK });
  if (r.isErr())
    return {
      status: httpStatus(r.error.code),
      body: { error: { code: r.error.code, message: r.error.message } },
    };
  const v = r.value;
  return {
    status: 200,
    body: { status: v.status, id: v.id, to: v.to, purpose: v.purpose, verifiedAt: v.verifiedAt },
  };
}

/** The Node request as a `Request` (headers copied, body streamed), as a Node host writes it. */
function toRequest(req: http.IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      headers.append(name, v);
    }
  }
  return new Request(`http://127.0.0.1${req.url}`, {
    method: req.method ?? 'GET',
    headers,
    ...(req.method === 'POST' ? { body: Readable.toWeb(req), duplex: 'half' } : {}),
  } as RequestInit);
}

const CHECK_PATH = /^\/(?:noop|bare)\/verifications\/([^/]+)\/check$/;

/**
 * The baseline of the fetch handler: a hand-written `(request: Request) => Promise<Response>`
 * doing the least a check route must (match the path, parse the JSON body, `verifier.check`,
 * a similar JSON body or a catalog error) with nothing the adapter adds (no content-type or
 * size checks, no streaming limit, no header copy, no requester context beyond the IP).
 */
async function bareFetch(request: Request): Promise<Response> {
  const id = CHECK_PATH.exec(new URL(request.url).pathname)?.[1];
  if (id === undefined) return Response.json({ error: { code: 'not_found' } }, { status: 404 });
  const body = (await request.json()) as { code?: unknown };
  const r = await bare(decodeURIComponent(id), body.code);
  return Response.json(r.body, { status: r.status });
}

/** The same request answered without verifying anything (the verifier's share). */
async function noopFetch(request: Request): Promise<Response> {
  const id = CHECK_PATH.exec(new URL(request.url).pathname)?.[1] ?? '';
  await request.json();
  return Response.json(noop(id));
}

/** Each framework's app with its three routes; resolves to the port it listens on. */
const APPS: Record<FrameworkName, () => Promise<number>> = {
  express: async () => {
    const app = express();
    app.post('/noop/verifications/:id/check', express.json(), (req, res) => {
      res.json(noop(String(req.params.id)));
    });
    app.post('/bare/verifications/:id/check', express.json(), async (req, res) => {
      const r = await bare(String(req.params.id), req.body?.code);
      res.status(r.status).json(r.body);
    });
    app.use('/verify', verificationRouter(verifier));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return (server.address() as AddressInfo).port;
  },
  fastify: async () => {
    const app = Fastify();
    const schema = {
      params: idParams,
      body: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] },
      response: { 200: checkResponseSchema },
    };
    app.post('/noop/verifications/:id/check', { schema }, async (req) =>
      noop((req.params as { id: string }).id),
    );
    app.post('/bare/verifications/:id/check', { schema }, async (req, reply) => {
      const r = await bare((req.params as { id: string }).id, (req.body as { code: string }).code);
      return reply.code(r.status as 200).send(r.body);
    });
    await app.register(verificationPlugin, { verifier, prefix: '/verify' });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    return Number(new URL(address).port);
  },
  // The Web-standard handler on node:http, beside a bare `Request -> Response` handler
  // written by hand (the baseline): the same bridge turns each Node request into a
  // `Request` and writes each `Response` back, for all three.
  fetch: async () => {
    const adapter = createHandler<{ ip: string | undefined }>(verifier, {
      basePath: '/verify',
      clientIp: (_request, info) => info.ip,
    });
    const server = http.createServer(async (req, res) => {
      const request = toRequest(req);
      const url = req.url ?? '';
      const response = url.startsWith('/verify/')
        ? await adapter(request, { ip: req.socket.remoteAddress })
        : url.startsWith('/bare/')
          ? await bareFetch(request)
          : await noopFetch(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return (server.address() as AddressInfo).port;
  },
};

const app = APPS[framework as FrameworkName];
if (!app) throw new Error(`usage: http-server.ts ${Object.keys(APPS).join('|')} <count>`);
const port = await app();

process.on('message', (m: { cpu?: boolean }) => {
  if (m.cpu) {
    const u = process.cpuUsage();
    process.send?.({ cpuMs: (u.user + u.system) / 1000 });
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ port, pairs });
