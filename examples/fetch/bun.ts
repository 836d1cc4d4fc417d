/**
 * `Bun.serve` with the fetch handler: `npx -y bun@1.4.5 examples/fetch/bun.ts`
 * (`SMOKE=1` runs the smoke check against it, then stops). Bun gives the peer address
 * through `server.requestIP(request)`: the handler's `info` is Bun's server.
 * @module
 */
import { createHandler } from '../../adapters/fetch/index';
import { smoke } from './smoke';
import { outbox, verifier } from './verifier';

/** The part of Bun's API this example uses (no Bun types needed to compile it). */
interface BunServer {
  readonly port: number;
  requestIP(request: Request): { address: string } | null;
  stop(): void;
}
declare const Bun: {
  serve(options: {
    port: number;
    hostname: string;
    fetch(request: Request, server: BunServer): Promise<Response>;
  }): BunServer;
};

const handler = createHandler<BunServer>(verifier, {
  basePath: '/verify',
  clientIp: (request, server) => server.requestIP(request)?.address,
});

const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: '127.0.0.1',
  fetch: handler,
});
const base = `http://127.0.0.1:${server.port}/verify`;
console.log(`Bun: listening on ${base}`);
if (process.env.SMOKE) {
  console.log('Bun smoke:', (await smoke(base, outbox)).join(', '));
  server.stop();
}
