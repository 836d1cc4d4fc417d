/**
 * A Cloudflare Worker: `export default { fetch }`. The client IP is Cloudflare's
 * `CF-Connecting-IP` (set by its edge, never the client's). Web APIs only: no
 * `nodejs_compat` flag and no bundler configuration (`scripts/fetch-worker.mjs` runs it so
 * under workerd). A real Worker keeps its store outside the isolate (memory is per isolate:
 * here only for the example; docs/runtimes.md).
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
