/**
 * The shape of one HTTP operation in the route table (`routes.ts`), and the matcher that
 * finds a route by method and path as the frameworks' routers do. @internal
 * @module
 */
import type { Result, ResultAsync } from 'neverthrow';
import type { ErrorCode, VerifyError } from '../errors';
import type { Verifier } from '../verifier/types';
import type { BodySpec, Input } from './input';
import type { HttpRequest, InputDeps, RespondDeps } from './request';

/** A header parameter documented in the OpenAPI description. */
export interface HeaderDoc {
  readonly name: string;
  readonly description: string;
  readonly schema: object;
}

/** One HTTP operation. `R` links the verifier call's result to the response mapping. */
export interface RouteDef<Op extends string = string, R = unknown> {
  readonly operation: Op;
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Path relative to the mount point, `:id` style (Express and Fastify both read it). */
  readonly path: string;
  /** Status of a success. */
  readonly status: number;
  /**
   * The body the route reads (none when absent): its JSON Schema (validation, input
   * shaping, the OpenAPI document), `optional` when a request may leave it out, `form` when
   * form-encoded bodies are taken too, `raw` when the exact bytes are kept for the route's
   * own signature check.
   */
  readonly body?: BodySpec & { readonly form?: true; readonly raw?: true };
  /** Mounted only when the app configures `inbound` (which needs consent). Default: always. */
  readonly mountedWhen?: 'inbound';
  /**
   * Reads the input itself (the inbound webhook). Default: the body's documented fields, the
   * path parameters and the requester context (`input.ts`); a route with its own reader gets
   * no requester context.
   */
  readonly input?: (request: HttpRequest, deps: InputDeps) => Result<Input, VerifyError>;
  /** What the server adds to the default input (start: consent source, Idempotency-Key). */
  readonly extras?: (input: Input, request: HttpRequest, deps: InputDeps) => Input;
  /** The verifier call (its input is checked by the verifier itself). */
  call(verifier: Verifier, input: object): ResultAsync<R, VerifyError>;
  /** The success body (full phone numbers never leave: see `response.ts`). */
  respond(result: R, deps: RespondDeps): unknown;
  /** JSON Schema of the success body. */
  readonly response: object;
  readonly doc: {
    readonly summary: string;
    /** The refusals this operation can answer (the common ones are added: `openapi.ts`). */
    readonly errors: readonly ErrorCode[];
    /** Component names of the success body and of the request body. */
    readonly result: string;
    readonly bodyName?: string;
    readonly headers?: readonly HeaderDoc[];
  };
}

/** Ties a route's call result to its response mapping, then forgets the result type. */
export const route = <const Op extends string, R>(def: RouteDef<Op, R>): RouteDef<Op> =>
  def as RouteDef<Op>;

const patterns = new Map<string, RegExp>();

/**
 * The route a method and a path (relative to the mount point) name, matched as Express
 * and Fastify match them (a parameter is one non-empty segment; case and one trailing slash
 * are ignored); undefined when none does. `method` undefined matches any method.
 */
export function matchRoute<R extends RouteDef>(
  routes: readonly R[],
  method: string | undefined,
  path: string,
): R | undefined {
  return routes.find((r) => {
    if (method !== undefined && r.method !== method && !(method === 'HEAD' && r.method === 'GET'))
      return false;
    let re = patterns.get(r.path);
    if (re === undefined) {
      re = new RegExp(`^${r.path.replace(/:\w+/g, '[^/]+')}/?$`, 'i');
      patterns.set(r.path, re);
    }
    return re.test(path);
  });
}
