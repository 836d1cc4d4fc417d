/**
 * The runtime conformance check (`scripts/conformance.mjs`), here on the source (vitest
 * resolves `phoneproof/*` to src/): the same 33 steps `npm run conformance` runs on the built
 * package under every runtime, so a change that breaks one is seen by `npm test` too; and its
 * assertion, `match`, refuses every kind of difference (a check that cannot fail proves
 * nothing).
 */
import { describe, expect, it } from 'vitest';
import { conformance } from '../../scripts/conformance.mjs';
import { match, TEXT } from '../../scripts/conformance-match.mjs';

describe('conformance check', () => {
  it('passes every step through the fetch handler on the memory store', async () => {
    const steps = await conformance();
    expect(steps).toHaveLength(33);
    expect(steps.slice(0, 3)).toEqual([
      'start without consent 403',
      'consent before ok',
      'start with consent 201',
    ]);
    expect(steps).toContain('proof used twice proof_used');
    expect(steps.at(-1)).toBe('status after cancel 200');
  });

  it('match refuses another value, a missing or extra key, a failed predicate, a wrong shape', () => {
    const want = { status: 'pending', n: 3, message: TEXT, list: [1, 2] };
    expect(() =>
      match({ status: 'pending', n: 3, message: 'm', list: [1, 2] }, want, 'b'),
    ).not.toThrow();
    expect(() =>
      match({ status: 'approved', n: 3, message: 'm', list: [1, 2] }, want, 'b'),
    ).toThrow('b.status: got "approved", want "pending"');
    expect(() => match({ status: 'pending', n: 3, message: 'm' }, want, 'b')).toThrow('b: keys');
    expect(() =>
      match({ status: 'pending', n: 3, message: 'm', list: [1, 2], phone: '+1' }, want, 'b'),
    ).toThrow('b: keys');
    expect(() => match({ status: 'pending', n: 3, message: '', list: [1, 2] }, want, 'b')).toThrow(
      'b.message',
    );
    expect(() =>
      match({ status: 'pending', n: 3, message: 'm', list: { 0: 1, 1: 2 } }, want, 'b'),
    ).toThrow('want an array');
    expect(() => match({ status: 'pending', n: 3, message: 'm', list: [1, 3] }, want, 'b')).toThrow(
      'b.list.1',
    );
    expect(() => match(undefined, want, 'b')).toThrow('want an object');
  });
});
