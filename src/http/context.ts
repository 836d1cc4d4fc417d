/**
 * The requester context of an HTTP request. The default: the framework's proxy-aware
 * client IP (or the app's `clientIp`), the user agent and a device-id header, each bounded
 * in length. Every HTTP request must name a requester: the default context an address (a
 * device-id header is the client's own choice, so it cannot stand in for one), an app
 * `context` hook an `ip` or a `userId` (a `deviceId` alone cannot stand in either). A
 * request without one would be the
 * anonymous requester, which may act on any verification and which no per-IP budget
 * counts, so it is refused instead (the handler rejects: the app's error handling, a 500;
 * test/adversary/no-address.test.ts). @internal
 * @module
 */
import { BINDING_IPV6_PREFIX, NO_REQUESTER, requesterOf } from '../feature/requester';
import type { RequestContext } from '../verifier/types';

/** Default header read for the device id (the reference endpoint's `deviceId`). */
export const DEFAULT_DEVICE_ID_HEADER = 'x-device-id';

const MAX_HEADER_TEXT = 256;

function text(v: string | readonly string[] | undefined): string | undefined {
  const s = typeof v === 'string' ? v : undefined;
  return s === undefined || s.length === 0 ? undefined : s.slice(0, MAX_HEADER_TEXT);
}

export interface ContextSource {
  /** The framework's client IP (Express `req.ip`, Fastify `request.ip`: both honour trust-proxy settings). */
  readonly ip: string | undefined;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export function defaultContext(source: ContextSource, deviceIdHeader: string): RequestContext {
  const ip = text(source.ip);
  const userAgent = text(source.headers['user-agent']);
  const deviceId = text(source.headers[deviceIdHeader]);
  return {
    ...(ip !== undefined ? { ip } : {}),
    ...(userAgent !== undefined ? { userAgent } : {}),
    ...(deviceId !== undefined ? { deviceId } : {}),
  };
}

/** Why a request whose default context has no client address is refused. */
export const noAddressMessage =
  'phoneproof: no client address for this request (clientIp returned no address, or the ' +
  "framework's req.ip / request.ip is empty: a Unix-socket listener, or a client that reset its " +
  'connection before the route ran). It is refused rather than run as the anonymous requester, ' +
  'which may act on any verification and which no per-IP budget counts. Pass a `clientIp` ' +
  'that finds the address (docs/express.md, docs/fastify.md, docs/fetch.md: "The client IP").';

/** Why a request whose app `context` names no requester is refused. */
export const noRequesterKeyMessage =
  'phoneproof: the `context` hook returned no requester key (an `ip` or a `userId`; a ' +
  "`deviceId` alone is the client's own choice, a new requester per request that no per-IP " +
  'budget counts). The request is refused rather than run as the anonymous requester, which ' +
  "may act on any verification. Return the client's address (or the signed-in user's id) from `context`.";

/**
 * `context` when it names a requester; throws otherwise (a request-time refusal: the
 * handler rejects). The default context (`byDefault`) needs an address; an app's `context`
 * an address or a user id, as the verifier derives them (`src/feature/requester.ts`).
 */
export function withRequester(context: RequestContext, byDefault: boolean): RequestContext {
  const requester = requesterOf(context, BINDING_IPV6_PREFIX);
  if (byDefault && requester.ip === undefined) throw new TypeError(noAddressMessage);
  // A device id is the client's own choice (a header, a cookie): alone it is a new
  // requester per request, outside every per-IP budget, so an app's context must name
  // an address or a user the app authenticated.
  if (
    requester === NO_REQUESTER ||
    (requester.ip === undefined && requester.userId === undefined)
  ) {
    throw new TypeError(noRequesterKeyMessage);
  }
  return context;
}
