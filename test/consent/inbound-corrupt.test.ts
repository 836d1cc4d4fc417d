/**
 * `consent.inbound` over an unreadable keyword count record (`consent-in:…`, damaged or
 * written by something else): a START is `store_corrupt` (the count is never restarted from
 * zero, which would let opt-ins past `consent.inboundLimit`), a STOP is still honoured (STOP
 * is never refused) and leaves the record as it found it.
 */
import { expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import type { Store } from '../../src/ports/store';
import { PHONE, setup, T0 } from './support';

const DAMAGED = '{"v":1,"t":"not a list"';

it('an unreadable count record: START store_corrupt, STOP honoured without a write', async () => {
  const real = memoryStore({ now: () => T0 });
  const written: string[] = [];
  const store: Store = {
    get: (k) => real.get(k),
    updateMany: (ks, fn) => real.updateMany(ks, fn),
    update: (k, fn) =>
      k.startsWith('consent-in:')
        ? real.update(k, () => {
            const r = fn(DAMAGED);
            if (r.write) written.push(k);
            return r;
          })
        : real.update(k, fn),
  };
  const t = setup({}, { store });
  const start = await t.verifier.consent.inbound({ from: PHONE, text: 'START', messageId: 'm1' });
  expect(start._unsafeUnwrapErr().code).toBe('store_corrupt');
  const stop = await t.verifier.consent.inbound({ from: PHONE, text: 'STOP', messageId: 'm2' });
  expect(stop._unsafeUnwrap().action).toBe('opted_out');
  expect((await t.verifier.consent.status({ phone: PHONE }))._unsafeUnwrap().state).toBe(
    'opted_out',
  );
  expect(written).toEqual([]);
});
