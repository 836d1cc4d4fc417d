/**
 * The fetch examples (examples/fetch/) run here under Node: Hono through its own
 * `app.request`, the Next.js route file's exports and the Worker's `fetch` called as their
 * runtimes would call them. Bun and Deno run the same smoke check over real sockets with
 * `npm run fetch:runtimes`; the Worker under workerd is docs/fetch.md ("Cloudflare Workers").
 */
import { describe, expect, it } from 'vitest';
import { app } from '../../examples/fetch/hono';
import * as next from '../../examples/fetch/next-route';
import { smoke } from '../../examples/fetch/smoke';
import { outbox } from '../../examples/fetch/verifier';
import worker from '../../examples/fetch/worker';

type Fetch = (url: string, init?: RequestInit) => Promise<Response> | Response;

/** Adds the header Cloudflare's edge (or Vercel's, for Next) sets on every request. */
const withHeader =
  (name: string, fetch: (request: Request) => Promise<Response> | Response): Fetch =>
  (url, init) => {
    const headers = new Headers(init?.headers);
    headers.set(name, '198.51.100.23');
    return fetch(new Request(url, { ...init, headers }));
  };

const ALL = ['start 201', 'wrong code 400', 'right code 200', 'status 200', 'HEAD 200', '404'];

describe('fetch examples', () => {
  it('Hono: app.all(/verify/*) => handler(c.req.raw) serves every step', async () => {
    const steps = await smoke(
      'http://localhost/verify',
      outbox,
      withHeader('cf-connecting-ip', (r) => app.request(r)),
    );
    expect(steps).toEqual(ALL);
  });

  it('Next.js route file: GET, HEAD, POST and DELETE are the handler', async () => {
    const context = { params: Promise.resolve({ path: [] as string[] }) };
    const byMethod = { GET: next.GET, HEAD: next.HEAD, POST: next.POST, DELETE: next.DELETE };
    const route = (r: Request) => {
      const handler = byMethod[r.method as keyof typeof byMethod];
      return handler ? handler(r, context) : new Response(null, { status: 405 });
    };
    const steps = await smoke(
      'https://app.example/verify',
      outbox,
      withHeader('x-forwarded-for', route),
    );
    expect(steps).toEqual(ALL);
  });

  it('Cloudflare Worker: the default export’s fetch serves every step', async () => {
    const steps = await smoke(
      'https://worker.example/verify',
      outbox,
      withHeader('cf-connecting-ip', (r) => worker.fetch(r)),
    );
    expect(steps).toEqual(ALL);
  });
});
