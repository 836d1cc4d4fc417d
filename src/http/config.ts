/**
 * The HTTP options resolved once, when an adapter is built: defaults filled in, hooks
 * wrapped, the mounted routes chosen from the table. Misconfiguration throws here, never on
 * a request. @internal
 * @module
 */
import { type VerifyError, verifyError } from '../errors';
import { requestSignatureCheck } from '../signatures/verify';
import { decisionClockOf } from '../verifier/clock';
import type { RequestContext, Verifier } from '../verifier/types';
import { DEFAULT_DEVICE_ID_HEADER, defaultContext, withRequester } from './context';
import type { InboundAuth } from './inbound';
import { type HttpOptions, validateHttpOptions } from './options';
import type { HttpRequest } from './request';
import { DEFAULT_BODY_LIMIT, type Operation, type Route, routeTable } from './routes';

export interface HttpConfig<Req> {
  /** The routes to mount (the inbound webhook only when `inbound` is configured). */
  readonly routes: readonly Route[];
  readonly bodyLimit: number;
  readonly now: () => number;
  readonly statusShowsPhone: boolean;
  readonly consentSource: string;
  readonly inbound: InboundAuth | undefined;
  /**
   * The requester context of a request (the app's `context` hook, or the default); rejects
   * when it names no requester (`withRequester`).
   */
  contextOf(request: HttpRequest<Req>): Promise<RequestContext>;
  /** The signature check for an operation; undefined when signatures are off or it is exempt. */
  signatureCheck(operation: Operation): ReturnType<typeof requestSignatureCheck> | undefined;
  readonly authorize: HttpOptions<Req>['authorize'];
  readonly mapResponse: HttpOptions<Req>['mapResponse'];
}

/** Whether the verifier has consent, with its inbound operation (the webhook calls it). */
function hasInbound(verifier: Verifier): boolean {
  const consent = (verifier as { consent?: Partial<Verifier['consent']> }).consent;
  return consent?.enabled === true && typeof consent.inbound === 'function';
}

/** Resolves `options`; throws a TypeError naming the first bad option. */
export function httpConfig<Req>(verifier: Verifier, options: HttpOptions<Req>): HttpConfig<Req> {
  validateHttpOptions(verifier, options);
  // The webhook exists only when the app says how inbound messages are authenticated.
  const inbound = options.inbound || undefined;
  if (inbound && !hasInbound(verifier)) {
    throw new TypeError(
      'phoneproof: `inbound` needs a verifier with consent configured (`consent: consent({ ledger })` from phoneproof/consent).',
    );
  }
  const deviceIdHeader = options.deviceIdHeader ?? DEFAULT_DEVICE_ID_HEADER;
  const { clientIp, context } = options;
  const check = options.signatures ? requestSignatureCheck(options.signatures) : undefined;
  const exempt = new Set<Operation>(options.signatures?.exempt ?? []);
  return {
    routes: routeTable.filter((r) => r.mountedWhen !== 'inbound' || inbound !== undefined),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // The verifier's decision clock (the store's, docs/clocks.md), unless the app passes one.
    now: options.now ?? decisionClockOf(verifier) ?? Date.now,
    statusShowsPhone: options.statusShowsPhone === true,
    consentSource: options.consentSource ?? 'web',
    inbound,
    contextOf: context
      ? async (request) => withRequester(await context(request.native), false)
      : async (request) =>
          withRequester(
            defaultContext(
              clientIp ? { ip: clientIp(request.native), headers: request.headers } : request,
              deviceIdHeader,
            ),
            true,
          ),
    signatureCheck: (operation) => (exempt.has(operation) ? undefined : check),
    authorize: options.authorize,
    mapResponse: options.mapResponse,
  };
}

const UNKEPT_BODY =
  "The request body's bytes were not kept, so the signature cannot cover them (a body parser " +
  'ran before phoneproof: keep the raw bytes, docs/express.md).';

/** The refusal of a request before any work, or undefined: the signature, then `authorize`. */
export async function refusal<Req>(
  config: HttpConfig<Req>,
  route: Route,
  request: HttpRequest<Req>,
): Promise<VerifyError | undefined> {
  const check = config.signatureCheck(route.operation);
  if (check) {
    // Bytes are what the signature covers: a parsed body without them fails closed (hashed as
    // the empty body, a signature made for a bodyless request would accept any body).
    if (request.body !== undefined && request.rawBody === undefined) {
      return verifyError('signature_invalid', { message: UNKEPT_BODY });
    }
    const signed = await check({
      method: request.method,
      path: request.path + request.query,
      body: request.rawBody,
      headers: request.headers,
    });
    if (signed.isErr()) return signed.error;
  }
  const { authorize } = config;
  if (authorize && (await authorize(request.native, route.operation)) !== true) {
    return verifyError('forbidden');
  }
  return undefined;
}
