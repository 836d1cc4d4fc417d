/**
 * A Cloudflare Worker: `export default { fetch }`. The client IP is Cloudflare's
 * `CF-Connecting-IP` (set by its edge, never the client's). Today's core imports
 * `node:crypto`, so the Worker needs `compatibility_flags = ["nodejs_compat"]` in
 * wrangler.toml; the runtime-neutral core is later work (issue 16). A real Worker keeps its
 * store outside the isolate (memory is per isolate: here only for the example).
 * @module
 */
import { createHandler } from '../../adapters/fetch/index';
import { verifier } from './verifier';

const handler = createHandler(verifier, {
  basePath: '/verify',
  clientIp: (request) => request.headers.get('cf-connecting-ip') ?? undefined,
});

export default {
  fetch: (request: Request): Promise<Response> => handler(request),
};
