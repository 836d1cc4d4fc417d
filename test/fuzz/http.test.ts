/**
 * Fuzzing every HTTP adapter of the registry (test/registry.ts FRAMEWORKS: Express, Fastify,
 * the fetch handler) with hostile requests over real sockets: 10,000 per adapter.
 * No 5xx (other than a deliberate 503), no crash, no unhandled rejection, well-formed
 * catalog errors with Retry-After kept in step, no phone number leaked, and the store
 * consistent afterwards (every record decodes; a seeded verification's wrong codes never
 * exceed its check budget, and its right code still works unless that budget ran out).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from '../registry';
import { brokenInvariant, hostileArb, rawClient } from './hostile';
import { fuzzTarget, SEEDED } from './target';

const RUNS = Number(process.env.FUZZ_HTTP_RUNS ?? 10_000);

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => void unhandled.push(e);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

for (const [name, mount] of FRAMEWORKS) {
  describe(`${name}: hostile requests`, () => {
    it(`${RUNS} requests keep every invariant`, async () => {
      const target = await fuzzTarget(mount);
      const client = rawClient(target.running.base);
      const statuses = new Map<number, number>();
      try {
        await fc.assert(
          fc.asyncProperty(hostileArb(target.ids), async (h) => {
            const r = await client.send(h);
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
            const broken = brokenInvariant(h, r, SEEDED);
            if (broken)
              throw new Error(
                `${broken}: ${h.method} ${h.path} -> ${r.status} ${r.text.slice(0, 200)}`,
              );
          }),
          { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20300101), endOnFailure: true },
        );
        const state = await target.checkState();
        expect(state.records).toBeGreaterThan(0);
        // Nothing but client errors raised outside the adapter's routes reached the app.
        const serverSide = target.running.appErrors.filter((e) => {
          const status =
            (e as { statusCode?: number; status?: number }).statusCode ??
            (e as { status?: number }).status;
          return !(typeof status === 'number' && status < 500);
        });
        expect(serverSide).toEqual([]);
        expect(unhandled).toEqual([]);
        // The fuzzer reached every kind of answer, not only 4xx.
        expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
        for (const s of [400, 404, 415]) expect(statuses.get(s) ?? 0).toBeGreaterThan(0);
        // The server still works normally after the storm.
        const id = target.ids[0]!;
        const check = await target.verifier.check({ id, code: target.codes.get(id)! });
        if (check.isErr())
          expect(['max_attempts_reached', 'not_found', 'expired', 'locked']).toContain(
            check.error.code,
          );
      } finally {
        client.close();
        await target.running.close();
      }
    }, 240_000);
  });
}
