/**
 * Attack: a client picks its own IP. With the framework trusting every proxy hop
 * (Fastify `trustProxy: true`, Express `trust proxy: true`), `X-Forwarded-For` sets
 * `request.ip`, so a client that sends a new value per request escapes every per-IP
 * budget. The adapters refuse that setup (IP budgets on, no `clientIp` resolver); with
 * the trust limited to the proxy (its address, or Express's hop count) the spoofed
 * leftmost value is ignored behind an appending proxy and the IP budget holds.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fastifyIpOf } from '../../adapters/fastify/trust';
import { ipThrough, trustsEveryHop } from '../../src/http/trust';
import { spreadNumbers } from '../abuse/support';
import { call, makeKit } from '../http/kit';
import type { AnyOptions, MountOptions, Running } from '../http/servers';
import { FRAMEWORKS } from './support';

/** The IP destinations budget: 30 distinct numbers an hour from one IP (the default). */
const IP_BUDGET = 30;
const ATTEMPTS = 40;
/** Where the proxy connects from (a second loopback address): the app's trusted proxy. */
const PROXY_ADDRESS = '127.0.0.2';

interface Proxy {
  readonly base: string;
  close(): Promise<void>;
}

/**
 * A reverse proxy in front of `target` that appends the client's address to
 * X-Forwarded-For, as nginx's `$proxy_add_x_forwarded_for` does. `clientAddress` maps
 * the client's socket address to the address the proxy appends (to play a client on the
 * internet while everything runs on loopback).
 */
async function appendingProxy(
  target: string,
  clientAddress: (socketAddress: string) => string = (a) => a,
): Promise<Proxy> {
  const to = new URL(target);
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const prior = req.headers['x-forwarded-for'];
    const client = clientAddress(req.socket.remoteAddress ?? '');
    const upstream = http.request(
      {
        host: to.hostname,
        port: to.port,
        localAddress: PROXY_ADDRESS,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-for': prior ? `${prior}, ${client}` : client },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const prefix = new URL(target).pathname;
  return {
    base: `http://127.0.0.1:${port}${prefix}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Starts to `ATTEMPTS` different numbers, each claiming a new IP in X-Forwarded-For. */
async function spoofedStarts(base: string): Promise<{ statuses: number[]; codes: string[] }> {
  const statuses: number[] = [];
  const codes: string[] = [];
  const phones = spreadNumbers(ATTEMPTS);
  for (let i = 0; i < ATTEMPTS; i += 1) {
    const r = await call(`${base}/verifications`, {
      method: 'POST',
      json: { phone: phones[i] },
      headers: { 'x-forwarded-for': `203.0.113.${i + 1}` },
    });
    statuses.push(r.status);
    codes.push(r.status === 201 ? 'ok' : String(r.json?.error?.code ?? r.json?.app));
  }
  return { statuses, codes };
}

function expectBudgetHeld(codes: readonly string[]): void {
  expect(codes.slice(0, IP_BUDGET)).toEqual(Array(IP_BUDGET).fill('ok'));
  expect(codes.slice(IP_BUDGET)).toEqual(Array(ATTEMPTS - IP_BUDGET).fill('rate_limited'));
}

const socketAddress = (req: { socket: { remoteAddress?: string } }) => req.socket.remoteAddress;

// The frameworks with a proxy-trust setting; the fetch handler has none (it takes the app's
// `clientIp`): its attack is test/adversary/fetch-client-ip.test.ts.
for (const [name, mount] of FRAMEWORKS.filter(([n]) => n !== 'fetch')) {
  describe(`${name}: a client-chosen IP (X-Forwarded-For)`, () => {
    const open: { close(): Promise<void> }[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((r) => r.close()));
    });

    async function serve(options: AnyOptions, m: MountOptions, extra = {}) {
      const kit = makeKit(extra);
      const running: Running = await mount(kit.verifier, { now: kit.now, ...options }, m);
      open.push(running);
      return { kit, running };
    }

    it('trusting every hop with IP budgets on is refused, saying why and how', async () => {
      const kit = makeKit();
      const mounted = mount(kit.verifier, { now: kit.now }, { trustProxy: true });
      if (name === 'fastify') {
        // Refused at registration.
        await expect(mounted).rejects.toThrow(/trustProxy: true[\s\S]*clientIp/);
        return;
      }
      // Express only knows its `trust proxy` setting once a request arrives through the
      // app: every request fails closed (500 through the app's error handler), nothing sent.
      const running = await mounted;
      open.push(running);
      const { statuses } = await spoofedStarts(running.base);
      expect(statuses).toEqual(Array(ATTEMPTS).fill(500));
      expect(kit.outbox.messages).toHaveLength(0);
      expect(running.appErrors).toHaveLength(ATTEMPTS);
      expect(String((running.appErrors[0] as Error).message)).toMatch(
        /'trust proxy', true[\s\S]*clientIp/,
      );
    });

    it('trusting every hop is accepted with the app’s own clientIp resolver; the budget holds', async () => {
      const { kit, running } = await serve({ clientIp: socketAddress }, { trustProxy: true });
      const { codes } = await spoofedStarts(running.base);
      expectBudgetHeld(codes);
      const ips = new Set(kit.events.map((e) => e.context?.ip).filter(Boolean));
      expect([...ips]).toEqual(['127.0.0.1']);
    });

    it('trusting every hop is accepted when the verifier has no IP budget', async () => {
      const { running } = await serve(
        {},
        { trustProxy: true },
        { abuse: { requesters: { ip: false } } },
      );
      const r = await call(`${running.base}/verifications`, {
        method: 'POST',
        json: { phone: spreadNumbers(1)[0] },
      });
      expect(r.status).toBe(201);
    });

    // The trust settings the docs recommend, behind a proxy that appends the client's address.
    const settings: readonly {
      readonly trust: number | string;
      readonly client: string;
      readonly seenAs: string;
    }[] = [
      { trust: PROXY_ADDRESS, client: '127.0.0.1', seenAs: '127.0.0.1' },
      { trust: 'loopback', client: '198.51.100.23', seenAs: '198.51.100.23' },
      // Express counts hops; Fastify 5 ignores a bare hop count (trusts no proxy): the
      // client is seen as the proxy, which still holds the budget.
      { trust: 1, client: '127.0.0.1', seenAs: name === 'express' ? '127.0.0.1' : PROXY_ADDRESS },
    ];
    for (const s of settings) {
      it(`trust ${JSON.stringify(s.trust)} behind an appending proxy: the spoofed value is ignored, the IP budget holds`, async () => {
        const { kit, running } = await serve({}, { trustProxy: s.trust });
        const proxy = await appendingProxy(running.base, () => s.client);
        open.push(proxy);
        const { codes } = await spoofedStarts(proxy.base);
        expectBudgetHeld(codes);
        expect(kit.outbox.messages).toHaveLength(IP_BUDGET);
        const ips = new Set(kit.events.map((e) => e.context?.ip).filter(Boolean));
        expect([...ips]).toEqual([s.seenAs]);
      });
    }
  });
}

describe('the trust probe: which framework settings trust every hop', () => {
  const trustAll: readonly unknown[] = [true, () => true, '0.0.0.0/1,128.0.0.0/1', 100];
  const limited: readonly unknown[] = [false, 1, 2, 'loopback', '10.0.0.0/8', '127.0.0.2'];

  it('Express: true, an always-yes function and all of IPv4 are trust-all; counts and addresses are not', async () => {
    const express = (await import('express')).default;
    const verdict = (setting: unknown) => {
      const app = express();
      app.set('trust proxy', setting);
      return trustsEveryHop(ipThrough(app.get('trust proxy fn')));
    };
    expect(trustAll.map(verdict)).toEqual(trustAll.map(() => true));
    expect(limited.map(verdict)).toEqual(limited.map(() => false));
  });

  it('Fastify: true, an always-yes function and all of IPv4 are trust-all; addresses are not', async () => {
    const Fastify = (await import('fastify')).default;
    const verdict = (setting: unknown) => {
      const ipOf = fastifyIpOf(Fastify({ trustProxy: setting as boolean }));
      if (ipOf === undefined) throw new Error('the probe cannot read this Fastify');
      return trustsEveryHop(ipOf);
    };
    // Fastify 5 ignores a bare hop count (it trusts no proxy then), so 100 is not trust-all.
    const all = trustAll.filter((s) => typeof s !== 'number');
    expect(all.map(verdict)).toEqual(all.map(() => true));
    expect([...limited, 100].map(verdict)).toEqual([...limited, 100].map(() => false));
  });
});
