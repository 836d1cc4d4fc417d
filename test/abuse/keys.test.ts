/** Requester keys (IPv6 grouped by /64) and destination prefixes. */
import { describe, expect, it } from 'vitest';
import {
  conversionPrefixKey,
  ipGroup,
  prefixHash,
  prefixHasher,
  prefixKey,
  prefixOf,
  requesterKeys,
  splitNumber,
} from '../../src/abuse/keys';

describe('ipGroup', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    [' 001.002.003.004 ', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:0102:0304', '1.2.3.4'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:0:0:0:0/64'],
    ['2001:DB8:1:2::ffff', '2001:db8:1:2:0:0:0:0/64'],
    ['[2001:db8:1:2::1]', '2001:db8:1:2:0:0:0:0/64'],
    ['fe80::1%eth0', 'fe80:0:0:0:0:0:0:0/64'],
    ['2001:db8::1.2.3.4', '2001:db8:0:0:0:0:0:0/64'],
    ['not-an-ip', 'raw:not-an-ip'],
    ['1.2.3.256', 'raw:1.2.3.256'],
    ['1:2:3', 'raw:1:2:3'],
    ['1::2::3', 'raw:1::2::3'],
  ])('%s -> %s', (ip, group) => {
    expect(ipGroup(ip, 64)).toBe(group);
  });

  it('groups one IPv6 /64 together and keeps neighbouring /64s apart', () => {
    const a = ipGroup('2001:db8:aa:bb:1:2:3:4', 64);
    expect(ipGroup('2001:db8:aa:bb:ffff:ffff:ffff:ffff', 64)).toBe(a);
    expect(ipGroup('2001:db8:aa:bc::1', 64)).not.toBe(a);
    expect(ipGroup('2001:db8:aa:bc::1', 48)).toBe(ipGroup('2001:db8:aa:ffff::1', 48));
    expect(ipGroup('2001:db8:aa:bc::1', 56)).toBe(ipGroup('2001:db8:aa:ff::1', 56));
    expect(ipGroup('2001:db8:aa:bc::1', 56)).not.toBe(ipGroup('2001:db8:aa:1bc::1', 56));
  });

  it('requester keys hold keyed hashes, never the address or id', () => {
    const key = Buffer.alloc(32, 7);
    const fields = new Set(['ip', 'deviceId', 'userId'] as const);
    const keys = requesterKeys(
      key,
      { ip: '203.0.113.9', deviceId: 'dev-1', userId: 'user-42' },
      fields,
      64,
    );
    expect(keys.map(([f]) => f)).toEqual(['ip', 'deviceId', 'userId']);
    for (const [, k] of keys) {
      expect(k).toMatch(/^req:(ip|dev|user):[A-Za-z0-9_-]{32}$/);
      expect(k).not.toMatch(/203|dev-1|user-42/);
    }
    expect(requesterKeys(key, { ip: '' }, fields, 64)).toEqual([]);
    expect(requesterKeys(key, { ip: 42 as unknown as string }, fields, 64)).toEqual([]);
    const numeric = requesterKeys(key, { userId: 42 as unknown as string }, fields, 64);
    expect(numeric).toEqual(requesterKeys(key, { userId: '42' }, fields, 64));
    expect(numeric).toHaveLength(1);
    expect(requesterKeys(key, undefined, fields, 64)).toEqual([]);
    expect(requesterKeys(key, { ip: '203.0.113.9' }, new Set(['userId'] as const), 64)).toEqual([]);
    // Another secret, other keys.
    const other = requesterKeys(Buffer.alloc(32, 8), { ip: '203.0.113.9' }, fields, 64);
    expect(other[0]![1]).not.toBe(keys[0]![1]);
  });
});

describe('prefixOf', () => {
  it('drops the trailing digits of the national number, keeping at least one', () => {
    const uk = splitNumber('+449098765432')!;
    expect(uk).toEqual({ callingCode: '44', national: '9098765432', country: 'GB' });
    expect(prefixOf(uk, 4)).toBe('+44 909876');
    expect(prefixOf(uk, 6)).toBe('+44 9098');
    expect(prefixOf(uk, 12)).toBe('+44 9');
    expect(prefixOf(splitNumber('+37129123456')!, 6)).toBe('+371 29');
    expect(splitNumber('not a number')).toBeUndefined();
  });
});

describe('prefixHasher', () => {
  it('gives the keyed hash of the prefix, as prefixHash does, from memory when it can', () => {
    const key = Buffer.alloc(32, 7);
    const hash = prefixHasher(key);
    const uk = splitNumber('+449098765432')!;
    const near = splitNumber('+449098765499')!;
    for (const digits of [4, 6, 4, 6]) expect(hash(uk, digits)).toBe(prefixHash(key, uk, digits));
    expect(hash(near, 4)).toBe(hash(uk, 4));
    expect(hash(uk, 4)).not.toBe(hash(uk, 6));
    expect(prefixHasher(Buffer.alloc(32, 8))(uk, 4)).not.toBe(hash(uk, 4));
    expect(prefixKey(key, uk, 4)).toBe(`pfx:4:${hash(uk, 4)}`);
    expect(conversionPrefixKey(key, uk, 6)).toBe(`conv:pfx:${hash(uk, 6)}`);
  });
});
