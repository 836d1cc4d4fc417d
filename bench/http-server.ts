/**
 * The server side of `bench/http.ts`, run in a child process so the load generator does not
 * share its CPU. One app per framework with two routes answering the same kind of request:
 * the adapter's check route (`/verify/verifications/:id/check`); a bare route of the same
 * framework (`/bare/verifications/:id/check`) written by hand: it parses the JSON body,
 * calls `verifier.check` and returns a similar JSON body; and a no-op route
 * (`/noop/verifications/:id/check`) returning that body without verifying anything, to
 * show the verifier's own share. Before listening it starts `count`
 * verifications (distinct phones) and sends their (id, code) pairs to the parent; on
 * `{ cpu: true }` it replies with its own CPU time, so rates can also be per CPU-second.
 * Usage (by bench/http.ts only): tsx bench/http-server.ts express|fastify <count>
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { verificationRouter } from '../adapters/express/index';
import { verificationPlugin } from '../adapters/fastify/index';
import { memoryStore } from '../adapters/memory/index';
import { checkResponseSchema, idParams } from '../src/http/schemas';
import { createVerifier, httpStatus, type Sender } from '../src/index';

const framework = process.argv[2];
const count = Number(process.argv[3] ?? 10_000);
let lastCode = '';
const sender: Sender = {
  send: async (m) => {
    lastCode = m.code;
    return { ok: true, messageId: 'bench' };
  },
};
const verifier = createVerifier({
  secret: 'bench-secret-bench-secret-bench-secret',
  store: memoryStore(),
  sender,
  policy: { sendWindows: [{ windowMs: 60_000, max: 1_000_000 }] },
  unsafe: { weakPolicy: true }, // those windows are below the policy floor
  // The benchmark measures the adapters: no abuse-shield prefix limits, and no proof token
  // (signing one costs more than the rest of a check, which would hide the adapter's cost).
  abuse: false,
  proof: false,
});

/** The requester the HTTP adapters derive for a client on 127.0.0.1. */
const LOOPBACK = { ip: '127.0.0.1' };

const pairs: [string, string][] = [];
for (let i = 0; pairs.length < count; i += 1) {
  // Started as the loopback requester the adapters see (a verification answers only its own
  // requester), so both routes check the same verifications.
  const s = await verifier.start({
    phone: `+1213${String(2_000_000 + i).padStart(7, '0')}`,
    context: LOOPBACK,
  });
  if (s.isErr()) throw new Error(`bench setup: start refused (${s.error.code})`);
  pairs.push([s.value.id, lastCode]);
}

const noop = (id: string) => ({
  status: 'approved',
  id,
  to: '+1 ••• ••• ••53',
  purpose: 'verify',
  verifiedAt: Date.now(),
});

/** The hand-written route's work: check, then a similar body (or a catalog error). */
async function bare(id: string, code: unknown) {
  const r = await verifier.check({ id, code: code as string, context: LOOPBACK });
  if (r.isErr())
    return {
      status: httpStatus(r.error.code),
      body: { error: { code: r.error.code, message: r.error.message } },
    };
  const v = r.value;
  return {
    status: 200,
    body: { status: v.status, id: v.id, to: v.to, purpose: v.purpose, verifiedAt: v.verifiedAt },
  };
}

let port: number;
if (framework === 'express') {
  const app = express();
  app.post('/noop/verifications/:id/check', express.json(), (req, res) => {
    res.json(noop(String(req.params.id)));
  });
  app.post('/bare/verifications/:id/check', express.json(), async (req, res) => {
    const r = await bare(String(req.params.id), req.body?.code);
    res.status(r.status).json(r.body);
  });
  app.use('/verify', verificationRouter(verifier));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
} else if (framework === 'fastify') {
  const app = Fastify();
  const schema = {
    params: idParams,
    body: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] },
    response: { 200: checkResponseSchema },
  };
  app.post('/noop/verifications/:id/check', { schema }, async (req) =>
    noop((req.params as { id: string }).id),
  );
  app.post('/bare/verifications/:id/check', { schema }, async (req, reply) => {
    const r = await bare((req.params as { id: string }).id, (req.body as { code: string }).code);
    return reply.code(r.status as 200).send(r.body);
  });
  await app.register(verificationPlugin, { verifier, prefix: '/verify' });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  port = Number(new URL(address).port);
} else {
  throw new Error('usage: http-server.ts express|fastify <count>');
}

process.on('message', (m: { cpu?: boolean }) => {
  if (m.cpu) {
    const u = process.cpuUsage();
    process.send?.({ cpuMs: (u.user + u.system) / 1000 });
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ port, pairs });
