/**
 * What the secrets module must do, through its exported names (`keyring`, `seal`/`unseal`,
 * `subkey`, `codeMatches`...): secrets shorter than 32 bytes are refused at construction, a
 * sealed value opens only as its own kind, bound value and ring, any tampering is refused,
 * rotation keeps old values readable, and the 0.1.0 format opens only for stored kinds.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  codeDigest,
  codeMatches,
  digestEquals,
  hmac,
  keyring,
  MIN_SECRET_BYTES,
  phoneKey,
  SEAL_KINDS,
  type SealKind,
  seal,
  sealBytes,
  subkey,
  unseal,
  unsealBytes,
} from '../../src/secrets';

const A = 'secrets-test-secret-A-0123456789abcdef';
const B = 'secrets-test-secret-B-0123456789abcdef';
const C = 'secrets-test-secret-C-0123456789abcdef';
const iv = () => randomBytes(12);

/** A value in the 0.1.0 format: one seal key for every kind, no authenticated data. */
function legacySeal(key: Uint8Array, plaintext: string): string {
  const v = iv();
  const cipher = createCipheriv('aes-256-gcm', key, v);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([v, cipher.getAuthTag(), ct]).toString('base64url');
}

/** `sealed` with byte `i` of its decoded form changed. */
function flipByte(sealed: string, i: number): string {
  const raw = Buffer.from(sealed, 'base64url');
  raw[i] = raw[i]! ^ 0x01;
  return raw.toString('base64url');
}

describe('keyring', () => {
  it('refuses a missing, empty, short or non-text secret with its name', () => {
    expect(() => keyring([])).toThrow(/must not be an empty list/);
    expect(() => keyring('x'.repeat(MIN_SECRET_BYTES - 1))).toThrow(
      /secret\[0\] is 31 bytes; at least 32 are required/,
    );
    expect(() => keyring([A, 'short'])).toThrow(/secret\[1\] is 5 bytes/);
    // The message says how to make a good secret.
    expect(() => keyring('short')).toThrow(/crypto\.randomBytes\(32\)/);
    expect(() => keyring(new Uint8Array(31))).toThrow(TypeError);
    expect(() => keyring(42 as unknown as string)).toThrow(
      /secret\[0\] must be a string or Uint8Array/,
    );
    expect(() => keyring(A, 'short')).toThrow(/lookupSecret is 5 bytes/);
    expect(() => keyring(A, {} as unknown as string)).toThrow(/lookupSecret must be a string/);
  });

  it('accepts exactly 32 bytes, as text (UTF-8) or bytes', () => {
    expect(keyring('x'.repeat(32)).current).toEqual(Buffer.from('x'.repeat(32)));
    expect(keyring(new Uint8Array(32).fill(7)).current).toEqual(Buffer.alloc(32, 7));
    // 16 two-byte characters are 32 bytes.
    expect(() => keyring('é'.repeat(16))).not.toThrow();
  });

  it('signs with the first secret, accepts all, derives store keys from the last one', () => {
    const ring = keyring([A, B, C]);
    expect(ring.current).toEqual(Buffer.from(A));
    expect(ring.all).toEqual([A, B, C].map((s) => Buffer.from(s)));
    expect(ring.lookup).toEqual(Buffer.from(C));
    expect(keyring([A, B, C], B).lookup).toEqual(Buffer.from(B));
    // A rotation that keeps the oldest secret keeps every store key.
    expect(phoneKey(keyring([A, C]), '+12133734253')).toBe(phoneKey(keyring(C), '+12133734253'));
    expect(phoneKey(keyring([C, A]), '+12133734253')).not.toBe(
      phoneKey(keyring(C), '+12133734253'),
    );
  });
});

describe('keyed hashes', () => {
  const key = Buffer.from(A);

  it('keep the parts apart: moving a boundary changes the hash', () => {
    expect(hmac(key, 'ab', 'c')).not.toBe(hmac(key, 'a', 'bc'));
    expect(hmac(key, 'a', 'b')).not.toBe(hmac(key, 'ab'));
    expect(hmac(key, 'a', 'b')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hmac(Buffer.from(B), 'a', 'b')).not.toBe(hmac(key, 'a', 'b'));
  });

  it('a phone key is 32 characters, never the number, and differs per number and secret', () => {
    const k = phoneKey(keyring(A), '+12133734253');
    expect(k).toHaveLength(32);
    expect(k).not.toContain('2133734253');
    expect(phoneKey(keyring(A), '+12133734254')).not.toBe(k);
    expect(phoneKey(keyring(B), '+12133734253')).not.toBe(k);
  });

  it('subkeys differ per label and per secret, and are 32 bytes', () => {
    expect(subkey(key, 'seal')).toHaveLength(32);
    expect(subkey(key, 'seal')).toEqual(subkey(key, 'seal'));
    expect(subkey(key, 'seal')).not.toEqual(subkey(key, 'proof'));
    expect(subkey(Buffer.from(B), 'seal')).not.toEqual(subkey(key, 'seal'));
  });

  it('a code digest is bound to its verification, purpose and code', () => {
    const d = codeDigest(key, 'v1', 'login', '123456');
    expect(codeDigest(key, 'v2', 'login', '123456')).not.toBe(d);
    expect(codeDigest(key, 'v1', 'signup', '123456')).not.toBe(d);
    expect(codeDigest(key, 'v1', 'login', '123457')).not.toBe(d);
    expect(codeDigest(Buffer.from(B), 'v1', 'login', '123456')).not.toBe(d);
  });
});

describe('digestEquals', () => {
  const d = hmac(Buffer.from(A), 'x');

  it('accepts the same digest and refuses every one-character change', () => {
    expect(digestEquals(d, `${d}`)).toBe(true);
    for (let i = 0; i < d.length; i += 1) {
      const other = d[i] === 'A' ? 'B' : 'A';
      expect(digestEquals(d, d.slice(0, i) + other + d.slice(i + 1))).toBe(false);
    }
  });

  it('refuses a longer, shorter or empty value without throwing', () => {
    expect(digestEquals(d, `${d}A`)).toBe(false);
    expect(digestEquals(d, d.slice(0, -1))).toBe(false);
    expect(digestEquals(d, '')).toBe(false);
    expect(digestEquals('', '')).toBe(true);
  });
});

describe('codeMatches', () => {
  it('accepts the code under any secret of the ring, refuses any other code', () => {
    const old = codeDigest(Buffer.from(B), 'v1', 'login', '123456');
    const rotated = keyring([A, B]);
    expect(codeMatches(rotated, old, 'v1', 'login', '123456')).toBe(true);
    expect(codeMatches(keyring([B, A]), old, 'v1', 'login', '123456')).toBe(true);
    expect(codeMatches(keyring(A), old, 'v1', 'login', '123456')).toBe(false);
    for (const code of ['123457', '023456', '12345', '1234567']) {
      expect(codeMatches(rotated, old, 'v1', 'login', code)).toBe(false);
    }
    expect(codeMatches(rotated, old, 'v2', 'login', '123456')).toBe(false);
    expect(codeMatches(rotated, old, 'v1', 'signup', '123456')).toBe(false);
  });
});

describe('seal and unseal', () => {
  // Built in each test: a keyring made while the file loads is not seen by per-test coverage.
  const newRing = () => keyring([A, B]);

  it('round-trips every kind, including the empty value', () => {
    const ring = newRing();
    for (const kind of SEAL_KINDS) {
      expect(unseal(ring, kind, seal(ring, kind, '+12133734253', iv()))).toBe('+12133734253');
      expect(unseal(ring, kind, seal(ring, kind, '', iv()))).toBe('');
    }
    const bytes = Uint8Array.from([0, 1, 254, 255]);
    expect(unsealBytes(ring, 'totp-secret', sealBytes(ring, 'totp-secret', bytes, iv()))).toEqual(
      Buffer.from(bytes),
    );
  });

  it('a value sealed as one kind never opens as another', () => {
    const ring = newRing();
    for (const kind of SEAL_KINDS) {
      const sealed = seal(ring, kind, 'attacker-chosen', iv());
      for (const other of SEAL_KINDS) {
        if (other === kind) continue;
        expect(unseal(ring, other, sealed)).toBeUndefined();
        expect(unseal(ring, other, sealed, { legacy: true })).toBeUndefined();
      }
    }
  });

  it('a value bound to one value opens only with that value', () => {
    const ring = newRing();
    const sealed = seal(ring, 'idempotency-result', 'result', iv(), 'key-1');
    expect(unseal(ring, 'idempotency-result', sealed, { bound: 'key-1' })).toBe('result');
    expect(unseal(ring, 'idempotency-result', sealed, { bound: 'key-2' })).toBeUndefined();
    expect(unseal(ring, 'idempotency-result', sealed)).toBeUndefined();
    const unbound = seal(ring, 'idempotency-result', 'result', iv());
    expect(unseal(ring, 'idempotency-result', unbound, { bound: 'key-1' })).toBeUndefined();
    expect(unseal(ring, 'idempotency-result', unbound, { bound: '' })).toBeUndefined();
  });

  it('refuses a value changed in any byte, cut short, or not sealed at all', () => {
    const ring = newRing();
    const sealed = seal(ring, 'proof-identity', 'subject-1', iv());
    const length = Buffer.from(sealed, 'base64url').length;
    for (let i = 0; i < length; i += 1) {
      expect(unseal(ring, 'proof-identity', flipByte(sealed, i))).toBeUndefined();
    }
    const raw = Buffer.from(sealed, 'base64url');
    expect(unseal(ring, 'proof-identity', raw.subarray(0, 27).toString('base64url'))).toBe(
      undefined,
    );
    expect(unseal(ring, 'proof-identity', raw.subarray(0, -1).toString('base64url'))).toBe(
      undefined,
    );
    expect(unseal(ring, 'proof-identity', '')).toBeUndefined();
    expect(unseal(ring, 'proof-identity', 'not sealed at all')).toBeUndefined();
  });

  it('puts the IV first, so two seals of one value share nothing', () => {
    const ring = newRing();
    const v = iv();
    const sealed = seal(ring, 'phone-number', '+12133734253', v);
    expect(Buffer.from(sealed, 'base64url').subarray(0, 12)).toEqual(v);
    expect(seal(ring, 'phone-number', '+12133734253', iv())).not.toBe(sealed);
  });

  it('opens values sealed under an older secret of the ring unless currentOnly', () => {
    const ring = newRing();
    const old = seal(keyring(B), 'phone-number', '+12133734253', iv());
    expect(unseal(ring, 'phone-number', old)).toBe('+12133734253');
    expect(unseal(ring, 'phone-number', old, { currentOnly: true })).toBeUndefined();
    const current = seal(ring, 'phone-number', '+12133734253', iv());
    expect(unseal(ring, 'phone-number', current, { currentOnly: true })).toBe('+12133734253');
    expect(unseal(keyring(B), 'phone-number', current)).toBeUndefined();
    expect(unseal(keyring(C), 'phone-number', old)).toBeUndefined();
  });

  it('seals with the first secret: dropping it makes new values unreadable', () => {
    const ring = newRing();
    const sealed = seal(ring, 'totp-challenge', 'x', iv());
    expect(unseal(keyring(A), 'totp-challenge', sealed)).toBe('x');
    expect(unseal(keyring(B), 'totp-challenge', sealed)).toBeUndefined();
  });

  it('refuses an unknown kind as misconfiguration', () => {
    const ring = newRing();
    expect(() => seal(ring, 'nothing' as SealKind, 'x', iv())).toThrow(/unknown sealed kind/);
    expect(() =>
      unseal(keyring(C), 'nothing' as SealKind, seal(ring, 'phone-number', 'x', iv())),
    ).toThrow(TypeError);
  });
});

describe('the 0.1.0 format', () => {
  // Built in each test: a keyring made while the file loads is not seen by per-test coverage.
  const newRing = () => keyring([A, B]);
  const atRest: readonly SealKind[] = ['phone-number', 'totp-secret'];

  it('opens for stored numbers and TOTP secrets read with legacy, under any secret', () => {
    const ring = newRing();
    for (const kind of atRest) {
      // 0.1.0 sealed every kind under subkey(secret, 'seal').
      for (const key of [A, B].map((s) => subkey(Buffer.from(s), 'seal'))) {
        const old = legacySeal(key, 'stored');
        expect(unseal(ring, kind, old, { legacy: true })).toBe('stored');
        expect(unseal(ring, kind, old)).toBeUndefined();
        expect(unseal(ring, kind, old, { legacy: false })).toBeUndefined();
        expect(unseal(ring, kind, old, { legacy: true, currentOnly: true })).toBeUndefined();
        expect(unseal(ring, kind, old, { legacy: true, bound: 'x' })).toBeUndefined();
      }
    }
  });

  it('never opens for a kind a client presents', () => {
    const ring = newRing();
    const old = legacySeal(subkey(Buffer.from(A), 'seal'), 'attacker-chosen');
    for (const kind of SEAL_KINDS.filter((k) => !atRest.includes(k))) {
      expect(unseal(ring, kind, old, { legacy: true })).toBeUndefined();
    }
  });

  it('is keyed by the secrets of the ring only', () => {
    const ring = newRing();
    const foreign = legacySeal(subkey(Buffer.from(C), 'seal'), 'stored');
    expect(unseal(ring, 'phone-number', foreign, { legacy: true })).toBeUndefined();
  });
});

/**
 * Known answers, computed by this version: records, digests and sealed values at rest are
 * found and opened by later versions only while every derivation (labels, separators,
 * authenticated data) stays the same. A change here orphans existing stores.
 */
describe('values written by this version stay readable', () => {
  // Built in each test: a keyring made while the file loads is not seen by per-test coverage.
  const newRing = () => keyring(A);
  const zeroIv = new Uint8Array(12);
  const sealedV: Record<SealKind, string> = {
    'phone-number': 'AAAAAAAAAAAAAAAA5_hQoe7tZZNSDOlyL2nZrYI',
    'totp-secret': 'AAAAAAAAAAAAAAAAyw7qV1GIgLS5RofFNyTLP9Y',
    'proof-identity': 'AAAAAAAAAAAAAAAAp22ABtHjE78sBY4TXWlNFfg',
    'totp-challenge': 'AAAAAAAAAAAAAAAAc3r1MBaHKVHbTwj-QdOPzkg',
    'verification-id': 'AAAAAAAAAAAAAAAAdwiwV1CFyVp6u6GCh0Sbr4o',
    'idempotency-result': 'AAAAAAAAAAAAAAAAA2N7G-SMPxM0Lcl--bXsLf8',
    'consent-reopt-in': 'AAAAAAAAAAAAAAAAFhXC7ogtT2Bsdqo9JvDmRxM',
  };

  it('sealed values of every kind, unbound and bound', () => {
    const ring = newRing();
    for (const kind of SEAL_KINDS) {
      expect(unseal(ring, kind, sealedV[kind])).toBe('v');
      expect(seal(ring, kind, 'v', zeroIv)).toBe(sealedV[kind]);
    }
    const bound = 'AAAAAAAAAAAAAAAAuBBjREnEb7-eTHU0Ob2XOYo';
    expect(unseal(ring, 'verification-id', bound, { bound: 'b' })).toBe('v');
    expect(seal(ring, 'verification-id', 'v', zeroIv, 'b')).toBe(bound);
  });

  it('store keys, code digests and subkeys', () => {
    const ring = newRing();
    expect(phoneKey(ring, '+12133734253')).toBe('R20DJ4TdoMNumRVdmWne-O4SZeTj732k');
    expect(codeDigest(ring.current, 'v1', 'login', '123456')).toBe(
      '5lNbQDAjQuWupccWfsc9WKwiu8kH1wL8iS0i-iRLXNw',
    );
    expect(Buffer.from(subkey(ring.current, 'proof')).toString('base64url')).toBe(
      'jI9NxbSwlVhirUcEuxs2dJL-oU6U2ggVSOBTDmtQgfs',
    );
  });

  it('an empty value cut by one byte is refused (a truncated tag would still verify)', () => {
    const ring = newRing();
    const raw = Buffer.from(seal(ring, 'proof-identity', '', iv()), 'base64url');
    expect(raw).toHaveLength(28);
    expect(unseal(ring, 'proof-identity', raw.subarray(0, 27).toString('base64url'))).toBe(
      undefined,
    );
    expect(unseal(ring, 'proof-identity', raw.subarray(0, 16).toString('base64url'))).toBe(
      undefined,
    );
  });
});
