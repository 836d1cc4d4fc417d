/**
 * The registries every multi-framework or multi-store suite enumerates: FRAMEWORKS (how to
 * mount a verifier on a real listening socket) and BACKENDS (how to make a fresh store and
 * consent ledger, and clean up). A new framework or store is its adapter plus one line here:
 * the HTTP, fuzz, adversarial, abuse-contract, multi-process race and fail-closed suites
 * and the HTTP benchmark pick it up (the race suites run over the backends that say how
 * other processes share their data, `shared`; fail-closed over those with a private server
 * it may stop, `served`). The backends themselves are in test/backends.ts.
 *
 * Services: a backend that needs one (Redis, PostgreSQL) says so through `available()`,
 * which throws under `CI=true` when the service does not answer (test/load/services.ts);
 * elsewhere the suite skips it.
 * @internal test helper
 */

import { type Backend, memory, postgres, redis, sqlite } from './backends';
import { fetchServer } from './http/fetch-server';
import { expressServer, fastifyServer, type Mount } from './http/servers';

export type {
  Backend,
  BackendUnderTest,
  LedgerUnderTest,
  OpenedStore,
  ServedBackend,
  SharedBackend,
} from './backends';

export type FrameworkName = 'express' | 'fastify' | 'fetch';

/** The framework adapters, each mounted on a real listening server (test/http/servers.ts). */
export const FRAMEWORKS: readonly (readonly [name: FrameworkName, mount: Mount])[] = [
  ['express', expressServer],
  ['fastify', fastifyServer],
  ['fetch', fetchServer],
];

/** The stores (and their ledgers), each fresh per call. */
export const BACKENDS: readonly Backend[] = [memory, sqlite, redis, postgres];

/** The backend of that name (a worker process resolves its job's backend here). */
export function backendNamed(name: Backend['name']): Backend {
  const b = BACKENDS.find((x) => x.name === name);
  if (!b) throw new Error(`no backend named ${name} in test/registry.ts`);
  return b;
}
