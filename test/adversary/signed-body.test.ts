/**
 * Attack: a signed request whose body the signature does not cover. The signature covers
 * the exact body bytes; an Express app that parses JSON before the router
 * (`app.use(express.json())`) leaves the router a parsed body and no bytes, which used to be
 * checked as the empty body: a signature made for a bodyless POST (one a system sends, or
 * one seen on the wire) was accepted with any body the attacker chose, within the skew
 * window. A parsed body without its bytes now fails closed (401 `signature_invalid`), and
 * with the bytes kept (`verify` storing `req.rawBody`, docs/express.md) the body is covered.
 * Over real sockets; the Fastify and fetch adapters, which always keep the bytes of signed
 * routes, answer the same.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { verificationRouter } from '../../adapters/express/index';
import { signRequest } from '../../src/signatures/sign';
import { call, makeKit, PHONE, PHONE2 } from '../http/kit';
import type { Running } from '../http/servers';
import { FRAMEWORKS } from './support';

const SYSTEM_SECRET = 'crm-system-secret-crm-system-secret!!';

type Kit = ReturnType<typeof makeKit>;

const signatures = (kit: Kit) => ({
  signatures: { systems: { crm: SYSTEM_SECRET }, store: kit.store, now: kit.now },
});

/** POSTs `body` to `base + rel`, signed for `signedBody` (undefined: a bodyless request). */
function signedPost(kit: Kit, base: string, rel: string, body: string, signedBody?: string) {
  const headers = signRequest({
    systemId: 'crm',
    secret: SYSTEM_SECRET,
    method: 'POST',
    path: new URL(base + rel).pathname,
    timestamp: kit.now(),
    ...(signedBody !== undefined ? { body: signedBody } : {}),
  });
  return call(base + rel, {
    method: 'POST',
    body,
    headers: { ...headers, 'content-type': 'application/json' },
  });
}

/** Express with the app's own JSON parser in front of the router. */
async function expressBehindParser(kit: Kit, keepRaw: boolean) {
  const app = express();
  app.use(
    express.json(
      keepRaw
        ? {
            verify: (req, _res, buf) => {
              (req as { rawBody?: Buffer }).rawBody = buf;
            },
          }
        : {},
    ),
  );
  app.use('/verify', verificationRouter(kit.verifier, { now: kit.now, ...signatures(kit) }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/verify`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('express behind a global JSON parser: signed requests', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('a signature for a bodyless POST with an unsigned body: 401, nothing sent', async () => {
    const kit = makeKit();
    const s = await expressBehindParser(kit, false);
    close = s.close;
    const body = JSON.stringify({ phone: PHONE });
    const r = await signedPost(kit, s.base, '/verifications', body);
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('signature_invalid');
    expect(kit.outbox.messages).toHaveLength(0);
  });

  it('no bytes kept: even a body signed as sent fails closed (401), saying why', async () => {
    const kit = makeKit();
    const s = await expressBehindParser(kit, false);
    close = s.close;
    const body = JSON.stringify({ phone: PHONE });
    const r = await signedPost(kit, s.base, '/verifications', body, body);
    expect(r.status).toBe(401);
    expect(r.json.error.message).toMatch(/bytes/);
    expect(kit.outbox.messages).toHaveLength(0);
  });

  it('bytes kept by the app (`verify` → req.rawBody): the body is covered', async () => {
    const kit = makeKit();
    const s = await expressBehindParser(kit, true);
    close = s.close;
    const body = JSON.stringify({ phone: PHONE });
    const good = await signedPost(kit, s.base, '/verifications', body, body);
    expect(good.status).toBe(201);
    const swapped = await signedPost(
      kit,
      s.base,
      '/verifications',
      JSON.stringify({ phone: PHONE2 }),
    );
    expect(swapped.status).toBe(401);
    expect(kit.outbox.messages).toHaveLength(1);
    // A bodyless signed POST is still accepted (the empty body is what was signed).
    const id = good.json.id as string;
    kit.clock.now += 31_000;
    const headers = signRequest({
      systemId: 'crm',
      secret: SYSTEM_SECRET,
      method: 'POST',
      path: new URL(`${s.base}/verifications/${id}/resend`).pathname,
      timestamp: kit.now(),
    });
    const resend = await call(`${s.base}/verifications/${id}/resend`, {
      method: 'POST',
      headers: { ...headers },
    });
    expect(resend.status).toBe(200);
  });
});

for (const [framework, mount] of FRAMEWORKS) {
  describe(`${framework}: a signature for a bodyless POST does not cover a body`, () => {
    let running: Running | undefined;
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });

    it('401, nothing sent; the body signed as sent is accepted', async () => {
      const kit = makeKit();
      running = await mount(kit.verifier, { now: kit.now, ...signatures(kit) });
      const body = JSON.stringify({ phone: PHONE });
      const unsigned = await signedPost(kit, running.base, '/verifications', body);
      expect(unsigned.status).toBe(401);
      expect(kit.outbox.messages).toHaveLength(0);
      const signed = await signedPost(kit, running.base, '/verifications', body, body);
      expect(signed.status).toBe(201);
    });
  });
}
