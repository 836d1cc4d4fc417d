/**
 * A Next.js App Router route handler: save as `app/verify/[...path]/route.ts`. Compiled
 * here against Next's handler signature (declared below), not run: Next is not installed.
 * On Vercel the client IP is the first `x-forwarded-for` entry, which Vercel's edge
 * overwrites (do not use this resolver on a host that passes the client's header through).
 * @module
 */
import { createHandler } from '../../adapters/fetch/index';
import { verifier } from './verifier';

/** Next's signature for a route handler of `app/verify/[...path]/route.ts`. */
type RouteHandler = (
  request: Request,
  context: { params: Promise<{ path: string[] }> },
) => Promise<Response>;

const handler: RouteHandler = createHandler(verifier, {
  basePath: '/verify',
  clientIp: (request) => request.headers.get('x-forwarded-for')?.split(',')[0]?.trim(),
});

export const GET = handler;
export const HEAD = handler;
export const POST = handler;
export const DELETE = handler;
