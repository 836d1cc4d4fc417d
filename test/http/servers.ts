/**
 * Listening servers (real sockets on 127.0.0.1) for the shared HTTP suite: one factory per
 * framework, each mounting the adapter under a prefix and installing an app-level error
 * handler that answers 500 `{ app: 'handled' }`, so tests can see which errors reach the app.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { verificationRouter } from '../../adapters/express/index';
import { verificationPlugin } from '../../adapters/fastify/index';
import type { HttpOptions } from '../../src/http/options';
import type { Verifier } from '../../src/verifier/types';

export interface Running {
  /** Base URL including the prefix, e.g. `http://127.0.0.1:1234/verify`. */
  readonly base: string;
  /** Errors the app's own error handler received (it answers their 4xx status, else 500). */
  readonly appErrors: unknown[];
  close(): Promise<void>;
}

export interface MountOptions {
  readonly prefix?: string;
  /**
   * The framework's proxy trust: Express `app.set('trust proxy', x)`, Fastify
   * `Fastify({ trustProxy: x })` (`true` trusts every hop: refused with IP budgets on
   * unless the adapter gets a `clientIp` resolver).
   */
  readonly trustProxy?: boolean | number | string;
  /**
   * The app's own JSON POST routes beside the adapter (outside its prefix), e.g. a delivery
   * status webhook, written once for every framework.
   */
  readonly appRoutes?: Readonly<Record<string, AppRoute>>;
}

/** An app route: the request's target (path and query) and parsed JSON body in, a reply out. */
export type AppRoute = (request: {
  url: string;
  body: unknown;
}) => Promise<{ status: number; body: unknown }>;

// biome-ignore lint/suspicious/noExplicitAny: hooks receive the framework's own request type
export type AnyOptions = HttpOptions<any>;

export type Mount = (
  verifier: Verifier,
  options?: AnyOptions,
  mount?: MountOptions,
) => Promise<Running>;

/** A 4xx status an error carries (as a real app's error handler would honour), if any. */
function clientStatus(err: unknown): number | undefined {
  const e = err as { status?: unknown; statusCode?: unknown } | null;
  const status = e?.statusCode ?? e?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

export const expressServer: Mount = async (verifier, options = {}, mount = {}) => {
  const prefix = mount.prefix ?? '/verify';
  const appErrors: unknown[] = [];
  const app = express();
  if (mount.trustProxy !== undefined) app.set('trust proxy', mount.trustProxy);
  app.use(prefix, verificationRouter(verifier, options));
  for (const [path, route] of Object.entries(mount.appRoutes ?? {})) {
    app.post(path, express.json(), async (req, res) => {
      const r = await route({ url: req.originalUrl, body: req.body });
      res.status(r.status).json(r.body);
    });
  }
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: unknown) => {
    appErrors.push(err);
    res.status(clientStatus(err) ?? 500).json({ app: 'handled' });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}${prefix}`,
    appErrors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export const fastifyServer: Mount = async (verifier, options = {}, mount = {}) => {
  const prefix = mount.prefix ?? '/verify';
  const appErrors: unknown[] = [];
  // Fastify 5's types no longer list a hop count (its runtime then trusts no proxy).
  const app = Fastify({ trustProxy: (mount.trustProxy ?? false) as boolean | string });
  app.setErrorHandler((err, _req, reply) => {
    appErrors.push(err);
    return reply.code(clientStatus(err) ?? 500).send({ app: 'handled' });
  });
  await app.register(verificationPlugin, { ...options, verifier, prefix });
  for (const [path, route] of Object.entries(mount.appRoutes ?? {})) {
    app.post(path, async (req, reply) => {
      const r = await route({ url: req.url, body: req.body });
      return reply.code(r.status).send(r.body);
    });
  }
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { base: `${address}${prefix}`, appErrors, close: () => app.close() };
};
