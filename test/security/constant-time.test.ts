/**
 * Code digests are compared by the crypto backend's constant-time `equal` (Node's
 * `crypto.timingSafeEqual` on Node, a branch-free XOR fold elsewhere), never with `===`.
 */
import { describe, expect, it, vi } from 'vitest';
import { backend } from '../../src/crypto';

describe('constant-time comparison', () => {
  it('every check compares digests with timingSafeEqual, for every secret in the ring', async () => {
    const { setup, wrong, PHONE } = await import('../support/setup');
    const spy = vi.spyOn(backend, 'equal');
    const t = setup({
      secret: ['first-secret-first-secret-first-1234', 'second-secret-second-secret-second-1'],
    });
    const { id } = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    spy.mockClear();
    await t.verifier.check({ id, code: wrong(t.code()) });
    expect(spy).toHaveBeenCalledTimes(2);
    for (const [a, b] of spy.mock.calls) {
      expect(a.length).toBe(43);
      expect(b.length).toBe(43);
    }
    spy.mockClear();
    expect((await t.verifier.check({ id, code: t.code() })).isOk()).toBe(true);
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });
});
