/** Code digests are compared with crypto.timingSafeEqual, never with `===`. */
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

describe('constant-time comparison', () => {
  it('every check compares digests with timingSafeEqual, for every secret in the ring', async () => {
    const crypto = await import('node:crypto');
    const { setup, wrong, PHONE } = await import('../support/setup');
    const spy = vi.mocked(crypto.timingSafeEqual);
    const t = setup({
      secret: ['first-secret-first-secret-first-1234', 'second-secret-second-secret-second-1'],
    });
    const { id } = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    spy.mockClear();
    await t.verifier.check({ id, code: wrong(t.code()) });
    expect(spy).toHaveBeenCalledTimes(2);
    for (const [a, b] of spy.mock.calls) {
      expect((a as Buffer).length).toBe(43);
      expect((b as Buffer).length).toBe(43);
    }
    spy.mockClear();
    expect((await t.verifier.check({ id, code: t.code() })).isOk()).toBe(true);
    expect(spy).toHaveBeenCalledTimes(2);
  });
});
