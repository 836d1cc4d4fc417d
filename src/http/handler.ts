/**
 * The framework-neutral request handler behind both HTTP adapters: signature check,
 * `authorize`, input shaping, the verifier call, and one mapping of its Result to a
 * response. An adapter only turns its request into an `HttpExchange` and writes the
 * returned `HttpResponse`. @internal
 * @module
 */

import type { ResultAsync } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';
import { requestSignatureCheck } from '../signatures/verify';
import { decisionClockOf } from '../verifier/clock';
import type { RequestContext, Verifier } from '../verifier/types';
import { DEFAULT_DEVICE_ID_HEADER, defaultContext } from './context';
import { errorResponse, type HttpResponse } from './errors';
import { inboundMessage } from './inbound';
import { shapeInput } from './input';
import { type HttpOptions, validateHttpOptions } from './options';
import { type InboundResult, successBody } from './response';
import { DEFAULT_BODY_LIMIT, type Operation, type RouteSpec, routeTable } from './routes';

/** The consent operations the webhook calls (present when consent is configured). */
interface ConsentOps {
  readonly enabled: boolean;
  inbound(input: {
    from: string;
    text: string;
    messageId?: string;
  }): ResultAsync<InboundResult, VerifyError>;
}

/** A request as an adapter hands it over. */
export interface HttpExchange<Req> {
  /** The framework's own request object (given to `authorize`, `context`, `mapResponse`). */
  readonly request: Req;
  readonly method: string;
  /** The request target as received (path + query), for the signature. */
  readonly url: string;
  /** The framework's (proxy-aware) protocol, `http` or `https`: rebuilds a webhook's URL. */
  readonly protocol?: string | undefined;
  /** The `:id` path parameter. */
  readonly id?: string | undefined;
  /** Parsed JSON body; undefined when there was none. */
  readonly body: unknown;
  /** Raw body bytes, for the signature. */
  readonly rawBody?: string | Uint8Array | undefined;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The framework's proxy-aware client IP. */
  readonly ip: string | undefined;
}

export interface HttpHandler<Req> {
  /** The routes to mount (the consent webhook only when the verifier has consent). */
  readonly routes: readonly RouteSpec[];
  readonly bodyLimit: number;
  /** Handles one request. Rejects only when an app hook (`authorize`, `context`) throws. */
  handle(route: RouteSpec, exchange: HttpExchange<Req>): Promise<HttpResponse>;
  /** The response for a refusal made outside `handle` (body errors), through `mapResponse`. */
  fail(operation: Operation, request: Req, error: VerifyError): HttpResponse;
}

/** Builds the handler; throws on misconfiguration. */
export function createHttpHandler<Req>(
  verifier: Verifier,
  options: HttpOptions<Req> = {},
): HttpHandler<Req> {
  validateHttpOptions(verifier, options);
  const { authorize, mapResponse } = options;
  const statusShowsPhone = options.statusShowsPhone === true;
  const deviceIdHeader = options.deviceIdHeader ?? DEFAULT_DEVICE_ID_HEADER;
  const { clientIp } = options;
  const contextOf =
    options.context ??
    ((_: Req, ex?: HttpExchange<Req>) =>
      ex
        ? defaultContext(
            clientIp ? { ip: clientIp(ex.request), headers: ex.headers } : ex,
            deviceIdHeader,
          )
        : ({} as RequestContext));
  // The verifier's decision clock (the store's, docs/clocks.md), unless the app passes one.
  const now = options.now ?? decisionClockOf(verifier) ?? Date.now;
  const signatureCheck = options.signatures ? requestSignatureCheck(options.signatures) : undefined;
  const exempt = new Set<Operation>(options.signatures?.exempt ?? []);
  const consent = (verifier as Verifier & { consent?: Partial<ConsentOps> }).consent;
  // The webhook exists only when the app says how inbound messages are authenticated.
  const inboundAuth = options.inbound || undefined;
  if (inboundAuth && !(consent?.enabled === true && typeof consent.inbound === 'function')) {
    throw new TypeError(
      'phoneproof: `inbound` needs a verifier with consent configured (`consent: { ledger }`).',
    );
  }
  const routes = routeTable.filter((r) => !r.consentOnly || inboundAuth !== undefined);
  const consentSource = options.consentSource ?? 'web';

  const call = (
    operation: Operation,
    input: Record<string, unknown>,
  ): ResultAsync<unknown, VerifyError> => {
    switch (operation) {
      case 'start':
        return verifier.start(input as never);
      case 'check':
        return verifier.check(input as never);
      case 'resend':
        return verifier.resend(input as never);
      case 'status':
        return verifier.status(input as never);
      case 'cancel':
        return verifier.cancel(input as never);
      case 'inbound':
        return (consent as ConsentOps).inbound(input as never);
      case 'totp_verify':
        return verifier.totp.verify(input as never);
      case 'totp_recover':
        return verifier.totp.recover(input as never);
    }
  };

  const finish = (
    operation: Operation,
    request: Req,
    response: HttpResponse,
    error?: VerifyError,
    result?: unknown,
  ): HttpResponse =>
    mapResponse
      ? mapResponse(response, {
          operation,
          request,
          ...(error !== undefined ? { error } : {}),
          ...(result !== undefined ? { result } : {}),
        })
      : response;

  const fail = (operation: Operation, request: Req, error: VerifyError) =>
    finish(operation, request, errorResponse(error), error);

  return {
    routes,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    fail,
    async handle(route, ex) {
      const { operation } = route;
      if (signatureCheck && !exempt.has(operation)) {
        const signed = await signatureCheck({
          method: ex.method,
          path: ex.url,
          body: ex.rawBody,
          headers: ex.headers,
        });
        if (signed.isErr()) return fail(operation, ex.request, signed.error);
      }
      if (authorize && (await authorize(ex.request, operation)) !== true) {
        return fail(operation, ex.request, verifyError('forbidden'));
      }
      if (operation === 'inbound') {
        const m = inboundMessage(inboundAuth!, ex, now());
        if (m.isErr()) return fail(operation, ex.request, m.error);
        const result = await (consent as ConsentOps).inbound(m.value);
        if (result.isErr()) return fail(operation, ex.request, result.error);
        const body = successBody(operation, result.value, now());
        return finish(
          operation,
          ex.request,
          { status: route.status, body },
          undefined,
          result.value,
        );
      }
      const c = contextOf(ex.request, ex);
      const context: RequestContext | undefined = c instanceof Promise ? await c : c;
      const input = shapeInput(operation, ex.id, ex.body, context);
      if (input.isErr()) return fail(operation, ex.request, input.error);
      const given = input.value.consent;
      if (operation === 'start' && given !== undefined) {
        // The server names how consent was given; the client's `source` is never read.
        input.value.consent = { ...(given as object), source: consentSource };
      }
      const idempotencyKey = ex.headers['idempotency-key'];
      if (operation === 'start' && idempotencyKey !== undefined) {
        // The `Idempotency-Key` header: a retried start returns the same verification.
        input.value.idempotencyKey = idempotencyKey;
      }
      const result = await call(operation, input.value);
      if (result.isErr()) return fail(operation, ex.request, result.error);
      const response = {
        status: route.status,
        body: successBody(operation, result.value, now(), statusShowsPhone),
      };
      return finish(operation, ex.request, response, undefined, result.value);
    },
  };
}
