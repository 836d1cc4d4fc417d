/**
 * Proofs at their edges: the option ranges are exact, a token signed with the right key but
 * lacking a claim is refused, a used single-use proof stays used and a revocation stays in
 * force for as long as the proof could otherwise be accepted, a revocation never moves back,
 * and a damaged stamp record fails closed.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index';
import { stampKey } from '../../src/proof/stamp';
import { subjectKey } from '../../src/proof/subject';
import { proofKeys } from '../../src/proof/token';
import { keyring, phoneKey } from '../../src/secrets';
import { PHONE, proofSetup, SECRET, T0 } from './support';

const b64 = (s: string) => Buffer.from(s, 'base64url');

describe('proof options', () => {
  it('accept exactly 10 s to 24 h, a non-empty issuer and a non-empty audience', () => {
    const { options } = proofSetup();
    const build = (proof: unknown) => () => createVerifier({ ...options, proof: proof as never });
    for (const ttlMs of [10_000, 86_400_000]) expect(build({ ttlMs })).not.toThrow();
    for (const ttlMs of [9_999, 86_400_001, 10_000.5, '60000']) {
      expect(build({ ttlMs })).toThrow(/proof\.ttlMs must be an integer from 10000 to 86400000/);
    }
    expect(build({ issuer: 5 })).toThrow(/proof\.issuer/);
    for (const audience of ['x', ['a'], ['a', 'b']]) expect(build({ audience })).not.toThrow();
    for (const audience of ['', [''], ['a', ''], ['a', 5], 5]) {
      expect(build({ audience })).toThrow(/proof\.audience/);
    }
    expect(build('yes')).toThrow(/proof\.must be an options object or false/);
    expect(build(undefined)).not.toThrow();
  });

  it('default to five minutes, issuer phoneproof, no audience, reusable', async () => {
    const t = proofSetup();
    const { proof } = await t.approve();
    const payload = JSON.parse(b64(proof!.split('.')[1]!).toString());
    expect(payload.iss).toBe('phoneproof');
    expect(payload).not.toHaveProperty('aud');
    expect(payload.exp - payload.iat).toBe(300);
    expect((await t.verifier.verifyProof(proof!, { purpose: 'signup' })).isOk()).toBe(true);
    expect((await t.verifier.verifyProof(proof!, { purpose: 'signup' })).isOk()).toBe(true);
  });
});

describe('claims', () => {
  /** A token signed with the verifier's own current proof key, with any payload. */
  function signed(payload: Record<string, unknown>): string {
    const key = proofKeys(keyring(SECRET))[0]!;
    const header = { alg: 'HS256', typ: 'phoneproof-proof+jwt', kid: key.kid };
    const enc = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');
    const input = `${enc(header)}.${enc(payload)}`;
    return `${input}.${createHmac('sha256', key.raw).update(input).digest('base64url')}`;
  }

  it('a token signed with the right key but a missing or wrong claim is refused', async () => {
    const t = proofSetup();
    const { proof } = await t.approve();
    const good = JSON.parse(b64(proof!.split('.')[1]!).toString()) as Record<string, unknown>;
    expect((await t.verifier.verifyProof(signed(good), { purpose: 'signup' })).isOk()).toBe(true);
    const bad: Record<string, unknown>[] = [
      { sty: 'other' },
      { sty: undefined },
      { pur: 5 },
      { vid: 5 },
      { mth: 'sms' },
      { mth: undefined },
      { vat: '1' },
      { jti: 5 },
      { iat: '1' },
      { sub: 5 },
    ];
    for (const change of bad) {
      const r = await t.verifier.verifyProof(signed({ ...good, ...change }), { purpose: 'signup' });
      expect(r._unsafeUnwrapErr().code, JSON.stringify(change)).toBe('proof_invalid');
    }
    for (const change of [{ sty: 'subject' }, { mth: 'totp' }, { mth: 'recovery' }]) {
      const r = await t.verifier.verifyProof(signed({ ...good, ...change }), { purpose: 'signup' });
      expect(r.isOk(), JSON.stringify(change)).toBe(true);
    }
  });

  it('a verified proof reports what the token says, times in milliseconds', async () => {
    const t = proofSetup();
    const c = await t.approve();
    const v = (await t.verifier.verifyProof(c.proof!, { purpose: 'signup' }))._unsafeUnwrap();
    expect(v).toMatchObject({
      kind: 'phone',
      phone: PHONE,
      purpose: 'signup',
      verificationId: c.id,
      method: 'phone',
      verifiedAt: T0,
      issuedAt: T0,
      expiresAt: T0 + 300_000,
    });
    expect(v.tokenId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('state kept for proofs', () => {
  it('a used single-use proof stays used until it expires', async () => {
    const t = proofSetup({ proof: { singleUse: true, ttlMs: 60_000 } });
    const { proof } = await t.approve();
    expect((await t.verifier.verifyProof(proof!, { purpose: 'signup' })).isOk()).toBe(true);
    t.advance(59_999);
    expect(
      (await t.verifier.verifyProof(proof!, { purpose: 'signup' }))._unsafeUnwrapErr().code,
    ).toBe('proof_used');
  });

  it('a revocation stays in force until the newest revoked proof has expired', async () => {
    const t = proofSetup({ proof: { ttlMs: 60_000 } });
    const { proof } = await t.approve();
    t.advance(1);
    (await t.verifier.invalidate({ phone: PHONE }))._unsafeUnwrap();
    t.advance(59_998);
    expect(
      (await t.verifier.verifyProof(proof!, { purpose: 'signup' }))._unsafeUnwrapErr().code,
    ).toBe('proof_revoked');
  });

  it('a proof approved after the revocation is accepted', async () => {
    const t = proofSetup();
    (await t.verifier.invalidate({ phone: PHONE }))._unsafeUnwrap();
    t.advance(1);
    const { proof } = await t.approve();
    expect((await t.verifier.verifyProof(proof!, { purpose: 'signup' })).isOk()).toBe(true);
  });

  it('a revocation never moves back, even when the clock does', async () => {
    const t = proofSetup();
    t.advance(10);
    const { proof } = await t.approve();
    t.advance(10);
    (await t.verifier.invalidate({ phone: PHONE }))._unsafeUnwrap();
    t.advance(-15);
    (await t.verifier.invalidate({ phone: PHONE }))._unsafeUnwrap();
    t.advance(15);
    expect(
      (await t.verifier.verifyProof(proof!, { purpose: 'signup' }))._unsafeUnwrapErr().code,
    ).toBe('proof_revoked');
  });

  it('revoking a subject leaves phone proofs alone, and the reverse', async () => {
    const t = proofSetup();
    const { proof } = await t.approve();
    t.advance(1);
    (await t.verifier.invalidate({ subject: 'user-1' }))._unsafeUnwrap();
    expect((await t.verifier.verifyProof(proof!, { purpose: 'signup' })).isOk()).toBe(true);
    (await t.verifier.invalidate({ phone: '+12133734254' }))._unsafeUnwrap();
    expect((await t.verifier.verifyProof(proof!, { purpose: 'signup' })).isOk()).toBe(true);
    (await t.verifier.invalidate({ phone: PHONE, subject: 'user-1' }))._unsafeUnwrap();
    expect(
      (await t.verifier.verifyProof(proof!, { purpose: 'signup' }))._unsafeUnwrapErr().code,
    ).toBe('proof_revoked');
  });

  it('a damaged stamp record fails closed', async () => {
    const t = proofSetup();
    const { proof } = await t.approve();
    const key = stampKey('p', phoneKey(keyring(SECRET), PHONE));
    for (const raw of ['12x', '12 ', '-1', '1.5', '', '99999999999999999999']) {
      await t.store.update(key, () => ({ result: 0, write: { value: raw, ttlMs: 60_000 } }));
      const r = await t.verifier.verifyProof(proof!, { purpose: 'signup' });
      expect(r._unsafeUnwrapErr().code, raw).toBe('store_corrupt');
      // Revoking over a damaged stamp fails closed too.
      expect((await t.verifier.invalidate({ phone: PHONE }))._unsafeUnwrapErr().code).toBe(
        'store_corrupt',
      );
    }
  });
});

describe('subjects', () => {
  it('accept 1 to 256 characters and refuse anything else with its message', async () => {
    const t = proofSetup();
    for (const subject of ['u', 'x'.repeat(256)]) {
      expect((await t.verifier.invalidate({ subject })).isOk()).toBe(true);
    }
    for (const subject of ['', 'x'.repeat(257), 5, ['user-1']]) {
      const e = (await t.verifier.invalidate({ subject: subject as string }))._unsafeUnwrapErr();
      expect(e.code).toBe('invalid_request');
      expect(e.message).toBe('`subject` must be a string of 1-256 characters.');
    }
  });

  it('are stored under a keyed hash that later versions still find', () => {
    const key = subjectKey(keyring(SECRET), 'user-1');
    expect(key).toBe('V0Vk39o2wVU0LbaW9dVGe68HI9dCB6Vv');
    expect(subjectKey(keyring(SECRET), 'user-2')).not.toBe(key);
    expect(key).not.toBe(phoneKey(keyring(SECRET), 'user-1'));
  });
});

describe('single use', () => {
  it('using one proof does not use another', async () => {
    const t = proofSetup({ proof: { singleUse: true } });
    const a = (await t.approve()).proof!;
    const b = (await t.approve('+12133734254')).proof!;
    expect((await t.verifier.verifyProof(a, { purpose: 'signup' })).isOk()).toBe(true);
    expect((await t.verifier.verifyProof(b, { purpose: 'signup' })).isOk()).toBe(true);
  });
});
