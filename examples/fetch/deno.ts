/**
 * `Deno.serve` with the fetch handler:
 * `npx -y deno@2.9.6 run --unstable-sloppy-imports -A examples/fetch/deno.ts` (`SMOKE=1`
 * runs the smoke check against it, then stops). Deno passes the peer address as the
 * handler's second argument (`info.remoteAddr`).
 * @module
 */
import { createHandler } from '../../adapters/fetch/index';
import { smoke } from './smoke';
import { outbox, verifier } from './verifier';

/** The part of Deno's API this example uses (no Deno types needed to compile it). */
interface DenoInfo {
  readonly remoteAddr: { readonly hostname: string };
}
declare const Deno: {
  serve(
    options: { port: number; hostname: string; onListen?(addr: { port: number }): void },
    handler: (request: Request, info: DenoInfo) => Promise<Response>,
  ): { readonly addr: { port: number }; shutdown(): Promise<void> };
};

const handler = createHandler<DenoInfo>(verifier, {
  basePath: '/verify',
  clientIp: (_request, info) => info.remoteAddr.hostname,
});

const server = Deno.serve(
  { port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1', onListen: () => {} },
  handler,
);
const base = `http://127.0.0.1:${server.addr.port}/verify`;
console.log(`Deno: listening on ${base}`);
if (process.env.SMOKE) {
  console.log('Deno smoke:', (await smoke(base, outbox)).join(', '));
  await server.shutdown();
}
