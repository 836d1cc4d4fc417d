/**
 * One requester identity per call: the budgets group IPv6 addresses by
 * `abuse.requesters.ipv6PrefixLength`, the verification binding by the subscriber's /64
 * whatever that setting (a wide budget grouping must not widen who owns a verification:
 * test/adversary/ipv6-binding.test.ts), and the three precedences (binding, idempotency
 * scope, conversion guard) choose from that one identity.
 */
import { describe, expect, it } from 'vitest';
import { ipGroup, requesterOf, requesterTag } from '../../src/feature/requester';
import { keyring } from '../../src/secrets';
import { SECRET, setup } from '../support/setup';

const A = '2001:db8:1:2::1';
const B = '2001:db8:1:3::1'; // same /48, another /64

describe('requester identity', () => {
  it('with ipv6PrefixLength 48 for the budgets, another /64 of the same /48 is still another requester (not_found)', async () => {
    const wide = setup({ abuse: { requesters: { ipv6PrefixLength: 48 } } });
    const s = (
      await wide.verifier.start({ phone: '+12133734253', context: { ip: A } })
    )._unsafeUnwrap();
    const r = await wide.verifier.check({ id: s.id, code: wide.code(), context: { ip: B } });
    expect(r._unsafeUnwrapErr().code).toBe('not_found');
    // The budgets do group the two addresses together.
    expect(requesterOf({ ip: A }, 48).ip).toBe(requesterOf({ ip: B }, 48).ip);
  });

  it('with the default /64 the other network is another requester (not_found)', async () => {
    const t = setup();
    const s = (
      await t.verifier.start({ phone: '+12133734253', context: { ip: A } })
    )._unsafeUnwrap();
    const r = await t.verifier.check({ id: s.id, code: t.code(), context: { ip: B } });
    expect(r._unsafeUnwrapErr().code).toBe('not_found');
  });

  it('normalizes once: numeric ids, cut values, blank fields ignored, the IP grouped', () => {
    const r = requesterOf({ ip: ` ${A} `, deviceId: 42, userId: '  ' }, 64);
    expect(r).toEqual({
      ip: ipGroup(A, 64),
      bindingIp: ipGroup(A, 64),
      deviceId: '42',
      userId: undefined,
    });
    expect(requesterOf({ ip: A }, 48)).toMatchObject({
      ip: ipGroup(A, 48),
      bindingIp: ipGroup(A, 64),
    });
    expect(requesterOf({ deviceId: 'x'.repeat(600) }, 64).deviceId).toHaveLength(512);
    expect(requesterOf(undefined, 64)).toEqual(requesterOf({ os: 'ios' }, 64));
    // The binding takes the user id (the app authenticated it) before the device id (the
    // client's own choice), and the device id only when there is no user.
    const ring = keyring(SECRET);
    const user = requesterTag(ring, requesterOf({ userId: 'u' }, 64));
    expect(requesterTag(ring, requesterOf({ deviceId: 'd', userId: 'u' }, 64))).toBe(user);
    expect(user.startsWith('user.')).toBe(true);
    const dev = requesterTag(ring, requesterOf({ deviceId: 'd' }, 64));
    expect(dev.startsWith('dev.')).toBe(true);
  });
});
