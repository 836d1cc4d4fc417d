/**
 * Single-use markers outlive their token under any clock within the bound: two instances
 * whose clocks are `CLOCK_BOUND_MS` either side of the store's (here an app that injects
 * `now`, kept within the bound) never both accept one single-use proof. The memory store's
 * clock is the true time, so the whole token life is walked without waiting.
 */
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { CLOCK_BOUND_MS } from '../../src/verifier/clock';

const secret = 'skew-markers-secret-skew-markers-secret-0123';

describe('single-use proof markers under clocks within the bound', () => {
  it('are never accepted twice, whichever instance consumes and whichever checks later', async () => {
    for (const [consumer, other] of [
      [CLOCK_BOUND_MS, -CLOCK_BOUND_MS],
      [-CLOCK_BOUND_MS, CLOCK_BOUND_MS],
    ] as const) {
      let t = 1_800_000_000_000 + 123;
      const store = memoryStore({ now: () => t });
      const outbox = outboxSender();
      const make = (skew: number) =>
        createVerifier({
          secret,
          store,
          sender: outbox,
          abuse: false,
          proof: { ttlMs: 10_000, singleUse: true },
          now: () => t + skew,
        });
      const a = make(consumer);
      const b = make(other);
      const phone = '+12133734253';
      const s = await a.start({ phone });
      const r = await a.check({ id: s._unsafeUnwrap().id, code: outbox.last(phone)!.code });
      const { proof, purpose } = r._unsafeUnwrap();
      expect((await a.verifyProof(proof!, { purpose })).isOk()).toBe(true);
      const seen: string[] = [];
      for (let step = 0; step < 150; step++) {
        t += 100;
        for (const v of [a, b]) {
          const x = await v.verifyProof(proof!, { purpose });
          seen.push(x.isOk() ? 'ok' : x.error.code);
        }
      }
      expect(seen).not.toContain('ok');
      expect(seen.at(-1)).toBe('proof_expired');
    }
  });
});
