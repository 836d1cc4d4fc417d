/**
 * Reads how a Fastify instance derives `request.ip`, for the client-IP guard: Fastify
 * exposes no public accessor for its `trustProxy` option, so the guard probes the
 * instance's request class (found by its symbol's description, `fastify.Request`) with a
 * synthetic request. @internal
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { IpOf } from '../../src/http/trust';

function symbolOf(target: object, description: string): symbol | undefined {
  for (let o: object | null = target; o !== null; o = Object.getPrototypeOf(o)) {
    const found = Object.getOwnPropertySymbols(o).find((s) => s.description === description);
    if (found) return found;
  }
  return undefined;
}

/** `request.ip` of `fastify` for a peer and a forwarded header; undefined when unreadable. */
export function fastifyIpOf(fastify: FastifyInstance): IpOf | undefined {
  const key = symbolOf(fastify, 'fastify.Request');
  const R = key ? (fastify as unknown as Record<symbol, unknown>)[key] : undefined;
  if (typeof R !== 'function' || typeof R.prototype !== 'object') return undefined;
  return (peer, forwardedFor) => {
    const request = Object.create(R.prototype) as { raw: unknown; ip?: unknown };
    request.raw = {
      socket: { remoteAddress: peer },
      headers: { 'x-forwarded-for': forwardedFor },
    };
    return typeof request.ip === 'string' ? request.ip : undefined;
  };
}
