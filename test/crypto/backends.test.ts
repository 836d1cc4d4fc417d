/**
 * The two crypto backends side by side: known answers (RFC 4231 and RFC 2202 HMAC, the GCM
 * specification's AES-256 test cases 13, 14 and 16), and properties over random inputs —
 * equal digests, MACs and sealed blobs; a blob sealed by one opens with the other; a changed
 * tag, ciphertext, IV or AAD, or another key, fails on both.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CryptoBackend } from '../../src/crypto';
// The portable encoders (the node backend encodes through Buffer itself).
import { fromBase64, toBase64, toBase64Url, toHex, utf8 } from '../../src/crypto/encoding';
// Both backends, each by its own module (the library itself loads the one `#crypto-backend`
// resolves to); the node one throws on import where node:crypto cannot be found.
import { backend as nobleBackend } from '../../src/crypto/noble';
import { backend as node } from '../../src/crypto/node';

const BACKENDS: readonly CryptoBackend[] = [node, nobleBackend];
const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
const ALGORITHMS = ['md5', 'sha1', 'sha256', 'sha512'] as const;
const bytes = (max = 300) => fc.uint8Array({ maxLength: max });
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const iv12 = fc.uint8Array({ minLength: 12, maxLength: 12 });

describe.each(BACKENDS.map((b) => [b.name, b] as const))('%s backend: known answers', (_, b) => {
  it('HMAC (RFC 4231 cases 1, 2 and 6; RFC 2202 case 2)', () => {
    const cases = [
      [hex('0b'.repeat(20)), utf8('Hi There')],
      [utf8('Jefe'), utf8('what do ya want for nothing?')],
      [hex('aa'.repeat(131)), utf8('Test Using Larger Than Block-Size Key - Hash Key First')],
    ] as const;
    expect(cases.map(([k, d]) => toHex(b.hmac('sha256', k, d)))).toEqual([
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    ]);
    expect(cases.map(([k, d]) => toHex(b.hmac('sha512', k, d)))).toEqual([
      '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
      '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598',
    ]);
    expect(toHex(b.hmac('sha1', 'Jefe', 'what do ya want for nothing?'))).toBe(
      'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
    );
    expect(toHex(b.hmac('md5', 'Jefe', 'what do ya want for nothing?'))).toBe(
      '750c783e6ab0b503eaa86e310a5db738',
    );
  });

  it('hashes (FIPS 180 "abc")', () => {
    expect(toHex(b.hash('sha256', 'abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(toHex(b.hash('sha1', 'abc'))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(toHex(b.hash('md5', 'abc'))).toBe('900150983cd24fb0d6963f7d28e17f72');
  });

  it('AES-256-GCM (GCM specification test cases 13, 14 and 16)', () => {
    const zero = new Uint8Array(32);
    const t13 = b.gcmSeal(zero, new Uint8Array(12), new Uint8Array(0), new Uint8Array(0));
    expect([toHex(t13.ciphertext), toHex(t13.tag)]).toEqual([
      '',
      '530f8afbc74536b9a963b4f1c4cb738b',
    ]);
    const t14 = b.gcmSeal(zero, new Uint8Array(12), new Uint8Array(16), new Uint8Array(0));
    expect([toHex(t14.ciphertext), toHex(t14.tag)]).toEqual([
      'cea7403d4d606b6e074ec5d3baf39d18',
      'd0d1c8a799996bf0265b98b5d48ab919',
    ]);
    const k = hex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308');
    const iv = hex('cafebabefacedbaddecaf888');
    const p = hex(
      'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    );
    const aad = hex('feedfacedeadbeeffeedfacedeadbeefabaddad2');
    const t16 = b.gcmSeal(k, iv, p, aad);
    expect([toHex(t16.ciphertext), toHex(t16.tag)]).toEqual([
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
      '76fc6ece0f4e1768cddf8853bb2d551b',
    ]);
    expect(toHex(b.gcmOpen(k, iv, t16.ciphertext, t16.tag, aad)!)).toBe(toHex(p));
  });

  it('random bytes and UUIDs have the right shape and differ', () => {
    expect(b.randomFill(new Uint8Array(70000)).some((x) => x !== 0)).toBe(true);
    expect(toHex(b.randomFill(new Uint8Array(16)))).not.toBe(
      toHex(b.randomFill(new Uint8Array(16))),
    );
    const u = b.uuid();
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b.uuid()).not.toBe(u);
  });
});

describe('node and noble backends agree', () => {
  it('on every digest and MAC', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALGORITHMS),
        bytes(200),
        bytes(),
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)) }),
        ),
        (a, k, d, s) => {
          expect(toHex(nobleBackend.hmac(a, k, d))).toBe(toHex(node.hmac(a, k, d)));
          expect(toHex(nobleBackend.hmac(a, s, s))).toBe(toHex(node.hmac(a, s, s)));
          expect(toHex(nobleBackend.hash(a, d))).toBe(toHex(node.hash(a, d)));
          expect(toHex(nobleBackend.hash(a, s))).toBe(toHex(node.hash(a, s)));
          const mac = nobleBackend.hmac(a, k, d);
          expect(node.hmacText?.(a, k, d, 'base64url')).toBe(toBase64Url(mac));
          expect(node.hmacText?.(a, k, d, 'base64')).toBe(toBase64(mac));
          expect(node.hmacText?.(a, k, d, 'hex')).toBe(toHex(mac));
          expect(node.encode?.(mac, 'base64url')).toBe(toBase64Url(mac));
          expect(toHex(node.textBytes?.(s) ?? new Uint8Array())).toBe(toHex(utf8(s)));
          for (const e of ['base64url', 'base64', 'hex'] as const) {
            expect(node.encodeText?.(s, e)).toBe(node.encode?.(utf8(s), e));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on every sealed blob; each opens the other, and nothing altered opens on either', () => {
    fc.assert(
      fc.property(key32, iv12, bytes(), bytes(64), fc.nat(), (k, iv, p, aad, flip) => {
        const [a, b] = [node.gcmSeal(k, iv, p, aad), nobleBackend.gcmSeal(k, iv, p, aad)];
        expect(toHex(b.ciphertext) + toHex(b.tag)).toBe(toHex(a.ciphertext) + toHex(a.tag));
        for (const [sealer, opener] of [
          [a, nobleBackend],
          [b, node],
        ] as const) {
          expect(toHex(opener.gcmOpen(k, iv, sealer.ciphertext, sealer.tag, aad)!)).toBe(toHex(p));
        }
        const bit = (x: Uint8Array) => {
          const y = new Uint8Array(x);
          if (y.length > 0) y[flip % y.length]! ^= 1 << (flip % 8);
          return y;
        };
        const otherKey = bit(k);
        for (const be of BACKENDS) {
          expect(be.gcmOpen(k, iv, a.ciphertext, bit(a.tag), aad)).toBeUndefined();
          expect(be.gcmOpen(k, bit(iv), a.ciphertext, a.tag, aad)).toBeUndefined();
          expect(be.gcmOpen(otherKey, iv, a.ciphertext, a.tag, aad)).toBeUndefined();
          expect(be.gcmOpen(k, iv, a.ciphertext, a.tag.subarray(0, 12), aad)).toBeUndefined();
          if (p.length > 0)
            expect(be.gcmOpen(k, iv, bit(a.ciphertext), a.tag, aad)).toBeUndefined();
          const otherAad = aad.length > 0 ? bit(aad) : utf8('x');
          expect(be.gcmOpen(k, iv, a.ciphertext, a.tag, otherAad)).toBeUndefined();
        }
      }),
      { numRuns: 200 },
    );
  });

  it('on constant-time equality', () => {
    fc.assert(
      fc.property(bytes(40), bytes(40), (x, y) => {
        for (const be of BACKENDS) {
          expect(be.equal(x, y)).toBe(toHex(x) === toHex(y));
          expect(be.equal(x, new Uint8Array(x))).toBe(true);
        }
      }),
    );
  });
});

describe('the portable encodings match Node Buffer', () => {
  it('base64, base64url, hex and UTF-8 round trips', () => {
    fc.assert(
      fc.property(bytes(), fc.string({ unit: 'binary' }), (b, s) => {
        const buf = Buffer.from(b);
        expect(toBase64(b)).toBe(buf.toString('base64'));
        expect(toBase64Url(b)).toBe(buf.toString('base64url'));
        expect(toHex(b)).toBe(buf.toString('hex'));
        expect(toHex(fromBase64(toBase64Url(b))!)).toBe(toHex(b));
        expect(toHex(fromBase64(toBase64(b))!)).toBe(toHex(b));
        expect(toHex(utf8(s))).toBe(Buffer.from(s, 'utf8').toString('hex'));
      }),
    );
  });

  it('decodes leniently as Buffer did (padding, whitespace, both alphabets), refuses other characters', () => {
    expect(toHex(fromBase64('-_+/')!)).toBe(Buffer.from('-_+/', 'base64url').toString('hex'));
    expect(toHex(fromBase64('YWJj\nZA==')!)).toBe(toHex(utf8('abcd')));
    expect(fromBase64('YW.j')).toBeUndefined();
    expect(fromBase64('YWé')).toBeUndefined();
  });
});
