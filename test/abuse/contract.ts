/**
 * Exactness of the abuse budgets under concurrency, against any Store. Each budget decides
 * and reserves in one atomic `store.update`, so concurrent calls can never get past a limit;
 * room given back by refused calls is never lost. Store adapters call `abuseContract` with
 * the same harness they give `storeContract`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AbuseOptions } from '../../src/abuse/types';
import type { PolicyOptions } from '../../src/core/policy';
import { createVerifier, type VerifierEvent } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import type { StoreHarness } from '../contract/store';
import { blockNumbers, HOUR, outcome, spreadNumbers, tally } from './support';

export function abuseContract(
  name: string,
  make: () => Promise<StoreHarness>,
  concurrency = 200,
): void {
  describe(`Abuse budgets are exact under concurrency: ${name}`, () => {
    let h: StoreHarness;
    let n = 0;
    beforeAll(async () => {
      h = await make();
    });
    beforeEach(async () => {
      await h.reset();
    });
    afterAll(async () => {
      await h.close();
    });

    /** A verifier with a fresh secret (fresh keys) and a fake clock the test moves. */
    const build = (abuse: AbuseOptions, policy: PolicyOptions = {}) => {
      n += 1;
      const clock = { now: 1_700_000_000_000 };
      const outbox = outboxSender();
      const events: VerifierEvent[] = [];
      const verifier = createVerifier({
        secret: `abuse-contract-${name}-${n}-${Date.now()}-secret-0123456789`,
        store: h.store,
        sender: outbox,
        now: () => clock.now,
        policy,
        abuse,
        onEvent: (e) => {
          events.push(e);
        },
      });
      return { verifier, outbox, events, clock };
    };
    const quiet: AbuseOptions = { requesters: false, prefixes: false, conversion: false };

    it(`${concurrency} starts from one IP to distinct numbers: exactly the destination budget`, async () => {
      const t = build({
        ...quiet,
        requesters: { ip: { destinations: [{ windowMs: HOUR, max: 7 }] } },
      });
      const rs = await Promise.all(
        spreadNumbers(concurrency).map((phone) =>
          t.verifier.start({ phone, context: { ip: '198.51.100.1' } }),
        ),
      );
      expect(tally(rs)).toEqual({ ok: 7, 'rate_limited/requester': concurrency - 7 });
      expect(t.outbox.messages).toHaveLength(7);
    });

    it(`${concurrency} starts into one block: exactly the prefix budget`, async () => {
      const t = build({ ...quiet, prefixes: [{ trailingDigits: 4, windowMs: HOUR, max: 9 }] });
      const rs = await Promise.all(
        blockNumbers(concurrency).map((phone) => t.verifier.start({ phone })),
      );
      expect(tally(rs)).toEqual({ ok: 9, 'rate_limited/prefix': concurrency - 9 });
    });

    it(`${concurrency} starts from many IPs: exactly the global budget, one warning`, async () => {
      const t = build({ ...quiet, global: { messagesPerDay: 13 } });
      const rs = await Promise.all(
        spreadNumbers(concurrency).map((phone, i) =>
          t.verifier.start({ phone, context: { ip: `10.0.${i >> 8}.${i & 255}` } }),
        ),
      );
      expect(tally(rs)).toEqual({ ok: 13, 'budget_exceeded/global': concurrency - 13 });
      expect(t.events.filter((e) => e.type === 'abuse.budget_warning')).toHaveLength(1);
    });

    it(`${concurrency} checks from one IP: exactly the check budget is evaluated`, async () => {
      const t = build({ ...quiet, requesters: { ip: { checks: [{ windowMs: HOUR, max: 11 }] } } });
      const ids: string[] = [];
      for (const phone of spreadNumbers(3))
        ids.push((await t.verifier.start({ phone }))._unsafeUnwrap().id);
      const rs = await Promise.all(
        Array.from({ length: concurrency }, (_, i) =>
          t.verifier.check({ id: ids[i % 3]!, code: '000000', context: { ip: '198.51.100.2' } }),
        ),
      );
      expect(rs.filter((r) => outcome(r) !== 'rate_limited/requester')).toHaveLength(11);
    });

    it('room given back by refused starts is not lost under concurrency', async () => {
      const t = build(
        { ...quiet, requesters: { ip: { sends: [{ windowMs: HOUR, max: 5 }] } } },
        { sendWindows: [{ windowMs: HOUR, max: 2 }] },
      );
      const [a, b, c, d, e] = spreadNumbers(5);
      const ctx = { context: { ip: '198.51.100.3' } };
      const rs = await Promise.all(
        Array.from({ length: concurrency }, () => t.verifier.start({ phone: a!, ...ctx })),
      );
      expect(rs.filter((r) => r.isOk())).toHaveLength(2);
      // Exactly two sends hold the requester's budget: three more numbers fit, a fourth does not.
      for (const phone of [b, c, d])
        expect(outcome(await t.verifier.start({ phone: phone!, ...ctx }))).toBe('ok');
      expect(outcome(await t.verifier.start({ phone: e!, ...ctx }))).toBe('rate_limited/requester');
    });

    it(`${concurrency} starts into a prefix after a pause: exactly the probes go out`, async () => {
      const t = build({
        ...quiet,
        conversion: {
          scopes: ['prefix'],
          minSends: { prefix: 3 },
          minRequesters: 1,
          graceMs: 60_000,
          windowMs: HOUR,
          probes: 2,
        },
      });
      const numbers = blockNumbers(concurrency + 10);
      for (const phone of numbers.slice(0, 3))
        expect(outcome(await t.verifier.start({ phone }))).toBe('ok');
      t.clock.now += 3 * 60_000;
      expect(outcome(await t.verifier.start({ phone: numbers[3]! }))).toBe(
        'destination_paused/prefix',
      );
      t.clock.now += HOUR;
      const rs = await Promise.all(numbers.slice(10).map((phone) => t.verifier.start({ phone })));
      expect(tally(rs)).toEqual({ ok: 2, 'destination_paused/prefix': concurrency - 2 });
    });

    it(`${concurrency} concurrent starts with one idempotency key send once`, async () => {
      const t = build(quiet);
      const rs = await Promise.all(
        Array.from({ length: concurrency }, () =>
          t.verifier.start({ phone: '+12133734253', idempotencyKey: 'one' }),
        ),
      );
      expect(t.outbox.messages).toHaveLength(1);
      expect(new Set(rs.flatMap((r) => (r.isOk() ? [r.value.id] : []))).size).toBe(1);
      expect(rs.every((r) => r.isOk() || r.error.code === 'idempotency_conflict')).toBe(true);
    });
  });
}
