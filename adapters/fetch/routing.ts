/**
 * Routing pieces of the Web-standard handler: the `basePath` option, the path below it,
 * the path parameters a route names, and the client-IP rule (no framework trust setting
 * exists, so the app must say where its platform puts the client's address). @internal
 * @module
 */
import { pathParams } from '../../src/http/input';

/**
 * The address every caller is counted under with `unsafeSharedRequester`: the unspecified
 * address, so all callers share one set of per-IP budgets.
 */
export const UNSAFE_SHARED_IP = '0.0.0.0';

export const noClientIpMessage =
  'phoneproof: createHandler needs the client IP: it binds each verification to the requester ' +
  'that started it, and the per-IP budgets count it, while a Request carries no trustworthy ' +
  'client address (an X-Forwarded-For header is whatever the client sends). Pass ' +
  '`clientIp: (request, info) => ip` saying where your platform puts it: Cloudflare ' +
  "request.headers.get('cf-connecting-ip'), Bun server.requestIP(request)?.address, Deno " +
  'info.remoteAddr.hostname, Vercel the first x-forwarded-for entry its edge sets; or a ' +
  '`context` hook; or `unsafeSharedRequester: true` (every caller is one shared requester, ' +
  'which may act on every other caller\'s verifications). See docs/fetch.md ("The client IP").';

/** The normalized `basePath` (`''` for the root); throws on a bad one. */
export function basePathOf(basePath: unknown): string {
  if (basePath === undefined || basePath === '' || basePath === '/') return '';
  if (typeof basePath !== 'string' || !basePath.startsWith('/') || /[?#]/.test(basePath)) {
    throw new TypeError('phoneproof: `basePath` must be a path starting with "/", e.g. "/verify".');
  }
  return basePath.replace(/\/+$/, '');
}

/**
 * The path below `base` (whole segments, case-insensitive as Express mounts it); undefined
 * when the path is outside it.
 */
export function stripBase(pathname: string, base: string): string | undefined {
  if (pathname.slice(0, base.length).toLowerCase() !== base.toLowerCase()) return undefined;
  const rest = pathname.slice(base.length);
  if (rest === '') return '/';
  return rest.startsWith('/') ? rest : undefined;
}

/**
 * The decoded path parameters of `routePath` (`:id` style) in `local`, a path the route
 * matched; undefined when one does not decode (a 400, as in Express).
 */
export function paramsOf(
  routePath: string,
  local: string,
): Record<string, string | undefined> | undefined {
  const names = pathParams(routePath);
  if (names.length === 0) return {};
  const want = routePath.split('/');
  const got = local.split('/');
  const params: Record<string, string | undefined> = {};
  for (const [i, part] of want.entries()) {
    if (!part.startsWith(':')) continue;
    try {
      params[part.slice(1)] = decodeURIComponent(got[i] ?? '');
    } catch {
      return undefined;
    }
  }
  return params;
}
