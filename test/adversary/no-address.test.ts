/**
 * Attack: a request with no client address. A client that sends a whole request and then
 * resets its TCP connection (RST) makes Node forget the peer address before the route
 * runs: Express `req.ip` and Fastify `request.ip` are then undefined, and so is every
 * address on a Unix-socket listener, or from an app `clientIp` hook that finds none. Such a
 * request used to get the default context `{}`: the anonymous requester, which may act on
 * any verification (supersede or cancel the owner's) and which no per-IP budget counts.
 * Now a request whose context has no requester key (no address for the default context)
 * is refused, nothing done; the adapters read the address as the request enters them, so a
 * reset after that keeps it (a reset right after sending usually beats them). Over real
 * sockets: RST and Unix sockets on Express and Fastify (the adapters that read a socket),
 * the hooks on every framework.
 */
import { rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { verificationRouter } from '../../adapters/express/index';
import { verificationPlugin } from '../../adapters/fastify/index';
import type { Verifier } from '../../src/verifier/types';
import { spreadNumbers } from '../abuse/support';
import { call, makeKit, PHONE } from '../http/kit';
import { expressServer, fastifyServer, type Mount, type Running } from '../http/servers';
import { FRAMEWORKS } from './support';

type Kit = ReturnType<typeof makeKit>;

/** The IP destinations budget: 30 distinct numbers an hour from one IP (the default). */
const IP_BUDGET = 30;
/** The attacker's own loopback address (the owner calls from 127.0.0.1). */
const ATTACKER = '127.0.0.2';
const NO_ADDRESS = /no client address|returned no address|no requester key/;

/** Sends one whole HTTP/1.1 request from `ATTACKER`, then resets the connection (RST). */
function sendThenReset(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<void> {
  const url = new URL(base);
  const data = body === undefined ? '' : JSON.stringify(body);
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const head =
    `${method} ${url.pathname}${path} HTTP/1.1\r\nHost: ${url.host}\r\n${extra}` +
    (data
      ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(data)}\r\n`
      : '') +
    '\r\n';
  return new Promise((resolve) => {
    const socket = net.connect(
      { host: url.hostname, port: Number(url.port), localAddress: ATTACKER },
      () => {
        socket.write(head + data, () => {
          socket.resetAndDestroy();
          resolve();
        });
      },
    );
    socket.on('error', () => resolve());
  });
}

/** Sends one whole HTTP/1.1 request from `ATTACKER` and keeps the connection open. */
function sendAndHold(base: string, body: unknown): Promise<net.Socket> {
  const url = new URL(base);
  const data = JSON.stringify(body);
  const request =
    `POST ${url.pathname}/verifications HTTP/1.1\r\nHost: ${url.host}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(data)}\r\n\r\n${data}`;
  return new Promise((resolve, reject) => {
    const socket = net.connect(
      { host: url.hostname, port: Number(url.port), localAddress: ATTACKER },
      () => socket.write(request, () => resolve(socket)),
    );
    socket.on('error', reject);
  });
}

/**
 * Express or Fastify with the adapter under `/verify` and an app-level hook before it that
 * reports each request's arrival (reading nothing from it).
 */
async function withArrivalSignal(framework: string, verifier: Verifier, arrived: () => void) {
  const errors: unknown[] = [];
  if (framework === 'express') {
    const app = express();
    app.use((_req, _res, next) => {
      arrived();
      next();
    });
    app.use('/verify', verificationRouter(verifier));
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: unknown) => {
      errors.push(err);
      res.status(500).json({ app: 'handled' });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as net.AddressInfo;
    const close = () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      });
    return { base: `http://127.0.0.1:${port}/verify`, errors, close };
  }
  const app = Fastify();
  app.addHook('onRequest', (_request, _reply, done) => {
    arrived();
    done();
  });
  app.setErrorHandler((err, _req, reply) => {
    errors.push(err);
    return reply.code(500).send({ app: 'handled' });
  });
  await app.register(verificationPlugin, { verifier, prefix: '/verify' });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { base: `${address}/verify`, errors, close: () => app.close() };
}

/** Waits until `done()` holds (the server has handled what was sent), at most `ms`. */
async function until(done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

const startsHandled = (kit: Kit) =>
  kit.events.filter((e) => e.type === 'verification.started' || e.type === 'abuse.refused').length;

/** The owner starts from 127.0.0.1 and gets the code. */
async function ownerStarts(kit: Kit, base: string, purpose: string) {
  const r = await call(`${base}/verifications`, {
    method: 'POST',
    json: { phone: PHONE, purpose },
  });
  expect(r.status).toBe(201);
  return { id: r.json.id as string, code: kit.outbox.messages.at(-1)?.code as string };
}

const SOCKET_MOUNTS: readonly (readonly [string, Mount])[] = [
  ['express', expressServer],
  ['fastify', fastifyServer],
];

for (const [framework, mount] of SOCKET_MOUNTS) {
  describe(`${framework}: a request whose connection was reset after it was sent`, () => {
    let running: Running | undefined;
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });

    it("a start sent and reset from another address does not supersede the owner's verification", async () => {
      const kit = makeKit();
      running = await mount(kit.verifier, { now: kit.now });
      const owner = await ownerStarts(kit, running.base, 'login');
      const before = startsHandled(kit);
      const appErrors = running.appErrors;
      await sendThenReset(running.base, 'POST', '/verifications', {
        phone: PHONE,
        purpose: 'login',
      });
      await until(() => startsHandled(kit) + appErrors.length > before);
      const started = kit.events.filter((e) => e.type === 'verification.started');
      for (const e of started) expect(e.context?.ip).toMatch(/^127\.0\.0\.[12]$/);
      const check = await call(`${running.base}/verifications/${owner.id}/check`, {
        method: 'POST',
        json: { code: owner.code },
      });
      expect(check.status).toBe(200);
      expect(check.json.status).toBe('approved');
    });

    it("cancels sent and reset from another address leave the owner's verification pending", async () => {
      const kit = makeKit();
      running = await mount(kit.verifier, { now: kit.now });
      const owner = await ownerStarts(kit, running.base, 'x');
      for (let i = 0; i < 3; i += 1) {
        await sendThenReset(running.base, 'DELETE', `/verifications/${owner.id}`);
      }
      const appErrors = running.appErrors;
      // Refused (an app error each), or handled as 127.0.0.2's: a not_found, with no event.
      await until(
        () => appErrors.length >= 3 || kit.events.some((e) => e.type === 'verification.canceled'),
        1000,
      );
      expect(kit.events.some((e) => e.type === 'verification.canceled')).toBe(false);
      const status = await call(`${running.base}/verifications/${owner.id}`);
      expect(status.status).toBe(200);
      expect(status.json.status).toBe('pending');
    });

    it('a reset while `authorize` runs: the address read before it counts', async () => {
      const kit = makeKit();
      let entered: () => void = () => {};
      const inAuthorize = new Promise<void>((resolve) => {
        entered = resolve;
      });
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      running = await mount(kit.verifier, {
        now: kit.now,
        authorize: async () => {
          entered();
          await released;
          return true;
        },
      });
      const socket = await sendAndHold(running.base, { phone: PHONE });
      socket.on('error', () => {});
      await inAuthorize;
      socket.resetAndDestroy();
      await new Promise((r) => setTimeout(r, 100));
      release();
      const appErrors = running.appErrors;
      await until(() => startsHandled(kit) + appErrors.length >= 1);
      expect(appErrors).toHaveLength(0);
      const started = kit.events.filter((e) => e.type === 'verification.started');
      expect(started.map((e) => e.context?.ip)).toEqual([ATTACKER]);
    });

    it('a reset after the request arrived, before its body was all read: the address read on arrival counts', async () => {
      const kit = makeKit();
      let arrived: () => void = () => {};
      const arrival = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      const server = await withArrivalSignal(framework, kit.verifier, () => arrived());
      try {
        const url = new URL(server.base);
        const data = JSON.stringify({ phone: PHONE });
        const socket = net.connect({
          host: url.hostname,
          port: Number(url.port),
          localAddress: ATTACKER,
        });
        socket.on('error', () => {});
        await new Promise<void>((resolve) => socket.once('connect', resolve));
        socket.write(
          `POST ${url.pathname}/verifications HTTP/1.1\r\nHost: ${url.host}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${data.length}\r\n\r\n` +
            data.slice(0, 5),
        );
        await arrival;
        // The rest of the body, then RST: Node reads the data but no longer knows the peer.
        socket.write(data.slice(5), () => socket.resetAndDestroy());
        await until(() => startsHandled(kit) + server.errors.length >= 1);
        expect(server.errors).toHaveLength(0);
        const started = kit.events.filter((e) => e.type === 'verification.started');
        expect(started.map((e) => e.context?.ip)).toEqual([ATTACKER]);
      } finally {
        await server.close();
      }
    });

    it('40 starts sent and reset from one address: the per-IP budget holds (30 an hour)', async () => {
      const kit = makeKit();
      running = await mount(kit.verifier, { now: kit.now });
      const phones = spreadNumbers(40);
      const appErrors = running.appErrors;
      for (const phone of phones) {
        await sendThenReset(running.base, 'POST', '/verifications', { phone });
      }
      await until(() => startsHandled(kit) + appErrors.length >= phones.length);
      expect(startsHandled(kit) + appErrors.length).toBe(phones.length);
      expect(kit.outbox.messages.length).toBeLessThanOrEqual(IP_BUDGET);
      const started = kit.events.filter((e) => e.type === 'verification.started');
      for (const e of started) expect(e.context?.ip).toBe(ATTACKER);
      for (const err of appErrors) expect(String(err)).toMatch(NO_ADDRESS);
    });

    it('the documented app context (ip, and the client device-id header): 40 starts reset with rotating device ids, the per-IP budget holds', async () => {
      const kit = makeKit();
      running = await mount(kit.verifier, { now: kit.now, context: documentedContext });
      const phones = spreadNumbers(40);
      const appErrors = running.appErrors;
      for (const [i, phone] of phones.entries()) {
        await sendThenReset(
          running.base,
          'POST',
          '/verifications',
          { phone },
          {
            'x-device-id': `device-${i}`,
          },
        );
      }
      await until(() => startsHandled(kit) + appErrors.length >= phones.length);
      expect(startsHandled(kit) + appErrors.length).toBe(phones.length);
      expect(kit.outbox.messages.length).toBeLessThanOrEqual(IP_BUDGET);
      const started = kit.events.filter((e) => e.type === 'verification.started');
      for (const e of started) expect(e.context?.ip).toBe(ATTACKER);
      for (const err of appErrors) expect(String(err)).toMatch(NO_ADDRESS);
    });
  });
}

/** docs/express.md's and docs/fastify.md's `context` example: the address, a device-id header. */
// biome-ignore lint/suspicious/noExplicitAny: Express's or Fastify's request
const documentedContext = (req: any) => ({
  ip: req.ip as string | undefined,
  deviceId: req.headers['x-device-id'] as string | undefined,
});

/** POSTs JSON over a Unix socket. */
function overSocket(
  socketPath: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<number> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath,
        method: 'POST',
        path,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

type UnixServer = { errors: unknown[]; close(): Promise<void> };

async function expressOnSocket(
  verifier: Verifier,
  path: string,
  context?: typeof documentedContext,
): Promise<UnixServer> {
  const errors: unknown[] = [];
  const app = express();
  app.set('trust proxy', 'loopback'); // the documented setting behind a local proxy
  app.use('/verify', verificationRouter(verifier, context ? { context } : {}));
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: unknown) => {
    errors.push(err);
    res.status(500).json({ app: 'handled' });
  });
  const server = app.listen(path);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return { errors, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function fastifyOnSocket(
  verifier: Verifier,
  path: string,
  context?: typeof documentedContext,
): Promise<UnixServer> {
  const errors: unknown[] = [];
  const app = Fastify({ trustProxy: '127.0.0.1' });
  app.setErrorHandler((err, _req, reply) => {
    errors.push(err);
    return reply.code(500).send({ app: 'handled' });
  });
  await app.register(verificationPlugin, {
    verifier,
    prefix: '/verify',
    ...(context ? { context } : {}),
  });
  await app.listen({ path });
  return { errors, close: () => app.close() };
}

for (const [framework, serve] of [
  ['express', expressOnSocket],
  ['fastify', fastifyOnSocket],
] as const) {
  describe(`${framework} on a Unix socket (no peer address)`, () => {
    it('every request is refused, a client device id does not stand in for the address; nothing sent', async () => {
      const kit = makeKit();
      const path = join(tmpdir(), `phoneproof-no-address-${framework}-${process.pid}.sock`);
      rmSync(path, { force: true });
      const server = await serve(kit.verifier, path);
      try {
        const plain = await overSocket(path, '/verify/verifications', { phone: PHONE });
        const withDevice = await overSocket(
          path,
          '/verify/verifications',
          { phone: spreadNumbers(1)[0] },
          { 'x-device-id': 'attacker-chosen' },
        );
        expect([plain, withDevice]).toEqual([500, 500]);
        expect(server.errors).toHaveLength(2);
        for (const err of server.errors) expect(String(err)).toMatch(NO_ADDRESS);
        expect(kit.outbox.messages).toHaveLength(0);
        expect(kit.events.filter((e) => e.type === 'verification.started')).toHaveLength(0);
      } finally {
        await server.close();
        rmSync(path, { force: true });
      }
    });

    it('with the documented app context, a client device id does not stand in for the address either', async () => {
      const kit = makeKit();
      const path = join(tmpdir(), `phoneproof-no-address-ctx-${framework}-${process.pid}.sock`);
      rmSync(path, { force: true });
      const server = await serve(kit.verifier, path, documentedContext);
      try {
        const statuses: number[] = [];
        for (const [i, phone] of spreadNumbers(5).entries()) {
          statuses.push(
            await overSocket(path, '/verify/verifications', { phone }, { 'x-device-id': `d-${i}` }),
          );
        }
        expect(statuses).toEqual([500, 500, 500, 500, 500]);
        for (const err of server.errors) expect(String(err)).toMatch(NO_ADDRESS);
        expect(kit.outbox.messages).toHaveLength(0);
      } finally {
        await server.close();
        rmSync(path, { force: true });
      }
    });
  });
}

for (const [framework, mount] of FRAMEWORKS) {
  describe(`${framework}: app hooks that name no requester`, () => {
    let running: Running | undefined;
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });

    it('a clientIp hook that finds no address: refused, nothing sent', async () => {
      const kit = makeKit();
      running = await mount(kit.verifier, { now: kit.now, clientIp: () => undefined });
      const r = await call(`${running.base}/verifications`, {
        method: 'POST',
        json: { phone: PHONE },
        headers: { 'x-device-id': 'attacker-chosen' },
      });
      expect(r.status).toBe(500);
      expect(running.appErrors).toHaveLength(1);
      expect(String(running.appErrors[0])).toMatch(NO_ADDRESS);
      expect(kit.outbox.messages).toHaveLength(0);
    });

    it('a context hook that returns only a deviceId (the client chooses it): refused, nothing sent', async () => {
      const kit = makeKit();
      running = await mount(kit.verifier, {
        now: kit.now,
        context: () => ({ deviceId: 'attacker-chosen', userAgent: 'test' }),
      });
      const r = await call(`${running.base}/verifications`, {
        method: 'POST',
        json: { phone: PHONE },
      });
      expect(r.status).toBe(500);
      expect(running.appErrors).toHaveLength(1);
      expect(String(running.appErrors[0])).toMatch(NO_ADDRESS);
      expect(kit.outbox.messages).toHaveLength(0);
    });

    it("a context with a user id and a device id binds to the user: another signed-in user sending the same device id cannot cancel the owner's verification", async () => {
      const kit = makeKit();
      // biome-ignore lint/suspicious/noExplicitAny: Express's or Fastify's request, or a fetch Request
      const header = (req: any, name: string): string | undefined =>
        typeof req.headers?.get === 'function'
          ? (req.headers.get(name) ?? undefined)
          : req.headers[name];
      running = await mount(kit.verifier, {
        now: kit.now,
        // An app behind a proxy it does not name: the signed-in user (here a header standing in
        // for the session) and the client's device id, no address.
        // biome-ignore lint/suspicious/noExplicitAny: as above
        context: (req: any) => ({
          userId: header(req, 'x-user'),
          deviceId: header(req, 'x-device-id'),
        }),
      });
      const start = await call(`${running.base}/verifications`, {
        method: 'POST',
        json: { phone: PHONE },
        headers: { 'x-user': 'alice', 'x-device-id': 'shared-device' },
      });
      expect(start.status).toBe(201);
      const id = (start.json as { id: string }).id;
      const cancel = await call(`${running.base}/verifications/${id}`, {
        method: 'DELETE',
        headers: { 'x-user': 'mallory', 'x-device-id': 'shared-device' },
      });
      expect(cancel.status).toBe(404);
      const status = await call(`${running.base}/verifications/${id}`, {
        method: 'GET',
        headers: { 'x-user': 'alice', 'x-device-id': 'another-device' },
      });
      expect(status.status).toBe(200);
      expect((status.json as { status: string }).status).toBe('pending');
    });

    it("a context hook that returns no ip, deviceId or userId: refused, the owner's verification intact", async () => {
      const kit = makeKit();
      const owner = await kit.verifier.start({ phone: PHONE, context: { ip: '198.51.100.7' } });
      const id = owner._unsafeUnwrap().id;
      running = await mount(kit.verifier, {
        now: kit.now,
        context: () => ({ userAgent: 'test' }),
      });
      const cancel = await call(`${running.base}/verifications/${id}`, { method: 'DELETE' });
      const start = await call(`${running.base}/verifications`, {
        method: 'POST',
        json: { phone: PHONE },
      });
      expect([cancel.status, start.status]).toEqual([500, 500]);
      for (const err of running.appErrors) expect(String(err)).toMatch(NO_ADDRESS);
      const status = await kit.verifier.status({ id, context: { ip: '198.51.100.7' } });
      expect(status._unsafeUnwrap().status).toBe('pending');
      expect(kit.outbox.messages).toHaveLength(1);
    });
  });
}
