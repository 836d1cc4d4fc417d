/**
 * Hono: one line mounts the handler, `app.all('/verify/*', (c) => handler(c.req.raw))`; no
 * Hono adapter is needed. Here for Hono on Cloudflare Workers (the client IP is Cloudflare's
 * `CF-Connecting-IP`). Run: `npx tsx examples/fetch/hono.ts` (the smoke check through
 * Hono's own `app.request`, with Cloudflare's header played by the check).
 * @module
 */
import { Hono } from 'hono';
import { createHandler } from '../../adapters/fetch/index';
import { smoke } from './smoke';
import { outbox, verifier } from './verifier';

const handler = createHandler(verifier, {
  basePath: '/verify',
  clientIp: (request) => request.headers.get('cf-connecting-ip') ?? undefined,
});

export const app = new Hono();
app.all('/verify/*', (c) => handler(c.req.raw));

if (process.argv[1]?.endsWith('hono.ts')) {
  const steps = await smoke('http://localhost/verify', outbox, (url, init) => {
    const headers = new Headers(init?.headers);
    headers.set('cf-connecting-ip', '198.51.100.23');
    return app.request(url, { ...init, headers });
  });
  console.log('Hono smoke:', steps.join(', '));
}
