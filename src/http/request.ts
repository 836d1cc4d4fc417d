/**
 * The framework-neutral request and the pieces a route reads: an adapter turns its
 * framework's request into an `HttpRequest` (after its own routing and body parsing) and
 * writes back the `HttpResponse` the handler returns. @internal
 * @module
 */
import type { RequestContext } from '../verifier/types';
import type { InboundAuth } from './inbound';

/** Request headers as Node parses them: lower-case names. */
export type HttpHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** One request, as every adapter hands it over. */
export interface HttpRequest<Req = unknown> {
  /** The framework's own request object (given to `authorize`, `context`, `mapResponse`). */
  readonly native: Req;
  readonly method: string;
  /** The path as received, mount prefix included, without the query (signatures cover it). */
  readonly path: string;
  /** The query string as received: `''` or `'?…'`. */
  readonly query: string;
  /** The path parameters the router matched (`id`). */
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly headers: HttpHeaders;
  /** Parsed body (JSON, or a form on routes that take one); undefined when there was none. */
  readonly body: unknown;
  /** Raw body bytes, when kept: for signed requests and the inbound webhook's signature. */
  readonly rawBody?: string | Uint8Array | undefined;
  /** The framework's proxy-aware client IP. */
  readonly ip: string | undefined;
}

/** What a route's input reader gets besides the request. */
export interface InputDeps {
  /** The requester context (undefined for routes with their own `input`). */
  readonly context: RequestContext | undefined;
  /** How the inbound webhook authenticates (set whenever that route is mounted). */
  readonly inbound: InboundAuth | undefined;
  /** The `source` recorded for a consent given with `start`. */
  readonly consentSource: string;
  /** Epoch ms, from the handler's clock. */
  readonly now: number;
}

/** What a route's response mapping gets besides the verifier's result. */
export interface RespondDeps {
  readonly now: number;
  /** The `statusShowsPhone` option. */
  readonly statusShowsPhone: boolean;
}

/** A request target as received (`/verify/verifications?x=1`) split into path and query. */
export function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q === -1
    ? { path: target, query: '' }
    : { path: target.slice(0, q), query: target.slice(q) };
}
