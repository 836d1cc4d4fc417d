/**
 * Clock skew between instances (docs/clocks.md): three verifiers share one real store on
 * loopback (Redis, PostgreSQL) while their local clocks read −90 s, 0 and +90 s. Code
 * lifetime, resend cooldown, send window, lock length, proof lifetime and single use must
 * each behave as on one instance, whichever instance answers.
 *
 * The instance clocks are simulated through the estimator's local-clock seam (`LOCAL_CLOCK`),
 * not by injecting `now`: an injected `now` is the app's own clock and bypasses the store's
 * by design. Passing time is simulated by advancing every instance clock and the store's
 * `time()` together (`w.advance`); the store's own TTLs run on real time, so the single-use
 * scenario waits in real time instead. `SKEW_MODE=injected` runs the same scenarios with each
 * instance's skewed clock injected as `now` (the behaviour before decisions used the store's
 * clock): they fail.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, type Verifier } from '../../src/index';
import type { Store } from '../../src/ports/store';
import { outboxSender } from '../../src/senders/outbox';
import { LOCAL_CLOCK } from '../../src/verifier/clock';
import { STORES, type StoreUnderTest } from '../adversary/support';

const secret = 'skew-test-secret-skew-test-secret-0123456789';
const SKEWS = [-90_000, 0, 90_000] as const;
const MIN = 60_000;
const injected = process.env.SKEW_MODE === 'injected';

interface World {
  advance: number;
  readonly slow: Verifier;
  readonly mid: Verifier;
  readonly fast: Verifier;
  readonly outbox: ReturnType<typeof outboxSender>;
}

function world(real: Store, proof: { ttlMs: number; singleUse: boolean }): World {
  const outbox = outboxSender();
  const w = { advance: 0 } as { advance: number };
  const store: Store = {
    update: (key, fn) => real.update(key, fn),
    updateMany: (keys, fn) => real.updateMany(keys, fn),
    get: (key) => real.get(key),
    time: async () => (await (real.time as () => Promise<number>).call(real)) + w.advance,
  };
  const make = (skew: number) => {
    const clock = () => Date.now() + w.advance + skew;
    return createVerifier({
      secret,
      store,
      sender: outbox,
      abuse: false,
      // Generous per-requester sends so the per-phone limits are what the scenarios meet.
      policy: { requesterSendWindows: [{ windowMs: 24 * 60 * MIN, max: 100 }] },
      proof,
      ...(injected ? { now: clock } : { [LOCAL_CLOCK]: clock }),
    } as Parameters<typeof createVerifier>[0]);
  };
  const [slow, mid, fast] = SKEWS.map(make) as [Verifier, Verifier, Verifier];
  return Object.assign(w, { slow, mid, fast, outbox });
}

const phone = () => `+1213373${String(randomInt(1000, 10_000))}`;
const codeOf = (w: World, to: string) => w.outbox.last(to)?.code ?? '';
const wrongOf = (code: string) => (code === '000000' ? '111111' : '000000');
const outcome = (r: { isOk(): boolean; error?: unknown }) =>
  r.isOk() ? 'ok' : (r as unknown as { error: { code: string } }).error.code;

for (const kind of STORES.filter((s) => s.name !== 'memory')) {
  describe(`instance clocks at −90 s, 0, +90 s on one ${kind.name} store`, () => {
    let up = false;
    let sut: StoreUnderTest;
    beforeAll(async () => {
      up = await kind.available();
      if (up) sut = await kind.make();
    });
    afterAll(async () => {
      if (up) await sut.close();
    });

    it('code lifetime: a code sent by the fast instance expires on the slow one at 600 s', async (t) => {
      if (!up) return t.skip();
      const w = world(sut.store, { ttlMs: 300_000, singleUse: false });
      const [a, b] = [phone(), phone()];
      const sa = await w.fast.start({ phone: a });
      const sb = await w.fast.start({ phone: b });
      expect([outcome(sa), outcome(sb)]).toEqual(['ok', 'ok']);
      w.advance += 10 * MIN - 5_000;
      expect(outcome(await w.slow.check({ id: sa._unsafeUnwrap().id, code: codeOf(w, a) }))).toBe(
        'ok',
      );
      w.advance += 10_000;
      expect(outcome(await w.slow.check({ id: sb._unsafeUnwrap().id, code: codeOf(w, b) }))).toBe(
        'expired',
      );
    });

    it('resend cooldown: 30 s after a start on the slow instance, whoever answers', async (t) => {
      if (!up) return t.skip();
      const w = world(sut.store, { ttlMs: 300_000, singleUse: false });
      const s = await w.slow.start({ phone: phone() });
      const id = s._unsafeUnwrap().id;
      w.advance += 1_000;
      expect(outcome(await w.fast.resend({ id }))).toBe('resend_too_soon');
      w.advance += 27_000;
      expect(outcome(await w.fast.resend({ id }))).toBe('resend_too_soon');
      w.advance += 4_000;
      expect(outcome(await w.mid.resend({ id }))).toBe('ok');
    });

    it('send window: at most 5 sends to one phone in one true hour', async (t) => {
      if (!up) return t.skip();
      const w = world(sut.store, { ttlMs: 300_000, singleUse: false });
      const p = phone();
      const who = [w.slow, w.mid, w.fast, w.mid, w.slow];
      const trace: string[] = [];
      for (const [i, v] of who.entries()) {
        if (i > 0) w.advance += 6 * MIN;
        trace.push(outcome(await v.start({ phone: p, context: { ip: `198.51.100.${i + 1}` } })));
      }
      expect(trace).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
      // 57:30 after the first send: the hour is not over on any clock that agrees.
      w.advance += 60 * MIN - 150_000 - 24 * MIN;
      const late = await w.fast.start({ phone: p, context: { ip: '198.51.100.6' } });
      expect(outcome(late)).toBe('send_limit_reached');
      w.advance += 155_000;
      expect(outcome(await w.mid.start({ phone: p, context: { ip: '198.51.100.7' } }))).toBe('ok');
    });

    it('lock length: a 15-minute lock set on the slow instance holds on the fast one', async (t) => {
      if (!up) return t.skip();
      const w = world(sut.store, { ttlMs: 300_000, singleUse: false });
      const p = phone();
      const ring = [w.slow, w.mid, w.fast];
      // Three failed verifications (5 wrong codes each); the last one fails on the slow one.
      for (let round = 0; round < 3; round++) {
        if (round > 0) w.advance += MIN;
        const s = await ring[round]!.start({ phone: p });
        expect(outcome(s)).toBe('ok');
        const id = s._unsafeUnwrap().id;
        const wrong = wrongOf(codeOf(w, p));
        for (let i = 0; i < 5; i++) {
          const v = round === 2 ? w.slow : ring[i % 3]!;
          await v.check({ id, code: wrong });
        }
      }
      w.advance += 15 * MIN - 20_000;
      expect(outcome(await w.fast.start({ phone: p }))).toBe('locked');
      expect(outcome(await w.mid.start({ phone: p }))).toBe('locked');
      w.advance += 40_000;
      expect(outcome(await w.fast.start({ phone: p }))).toBe('ok');
    });

    it('proof lifetime: a proof issued by the fast instance dies on the slow one at 300 s', async (t) => {
      if (!up) return t.skip();
      const w = world(sut.store, { ttlMs: 300_000, singleUse: false });
      const p = phone();
      const s = await w.fast.start({ phone: p });
      const r = await w.fast.check({ id: s._unsafeUnwrap().id, code: codeOf(w, p) });
      const { proof, purpose } = r._unsafeUnwrap();
      w.advance += 300_000 - 5_000;
      expect(outcome(await w.slow.verifyProof(proof as string, { purpose }))).toBe('ok');
      w.advance += 10_000;
      for (const v of [w.slow, w.mid, w.fast]) {
        expect(outcome(await v.verifyProof(proof as string, { purpose }))).toBe('proof_expired');
      }
    });

    it('single use: a used proof is never accepted again, on any instance, until it expires', async (t) => {
      if (!up) return t.skip();
      const w = world(sut.store, { ttlMs: 10_000, singleUse: true });
      const p = phone();
      const s = await w.fast.start({ phone: p });
      const r = await w.fast.check({ id: s._unsafeUnwrap().id, code: codeOf(w, p) });
      const { proof, purpose } = r._unsafeUnwrap();
      expect(outcome(await w.fast.verifyProof(proof as string, { purpose }))).toBe('ok');
      // Real time: the used-marker's TTL runs on the store's own clock.
      const seen = new Set<string>();
      const until = Date.now() + 12_500;
      while (Date.now() < until) {
        for (const v of [w.slow, w.mid, w.fast]) {
          seen.add(outcome(await v.verifyProof(proof as string, { purpose })));
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(seen.has('ok')).toBe(false);
      for (const v of [w.slow, w.mid, w.fast]) {
        expect(outcome(await v.verifyProof(proof as string, { purpose }))).toBe('proof_expired');
      }
    }, 30_000);
  });
}
