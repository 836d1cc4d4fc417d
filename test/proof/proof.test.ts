/**
 * Proof tokens: issued on approval, verified with signature, expiry, purpose, binding and
 * single-use checks. Properties: tampering, expiry, wrong purpose and reuse are refused.
 */
import { fc, test } from '@fast-check/vitest';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index';
import { totp } from '../../src/totp/index';
import { PHONE, proofSetup, SECRET, T0 } from './support';

const b64 = (s: string) => Buffer.from(s, 'base64url');

describe('issuing', () => {
  it('check returns a compact JWS binding the number (sealed per token), purpose, verification id and time', async () => {
    const t = proofSetup();
    const c = await t.approve();
    const [h, p, sig] = c.proof!.split('.');
    expect(JSON.parse(b64(h!).toString())).toMatchObject({
      alg: 'HS256',
      typ: 'phoneproof-proof+jwt',
    });
    const payload = JSON.parse(b64(p!).toString());
    expect(payload).toMatchObject({
      iss: 'phoneproof',
      // The number sealed with a fresh IV: nothing stable per phone (was its keyed hash).
      sub: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/),
      sty: 'phone',
      pur: 'signup',
      vid: c.id,
      mth: 'phone',
      vat: c.verifiedAt,
      iat: T0 / 1000,
      exp: T0 / 1000 + 300,
    });
    expect(b64(sig!)).toHaveLength(32);
    const v = (await t.verifier.verifyProof(c.proof!, { purpose: 'signup' }))._unsafeUnwrap();
    expect(v).toMatchObject({
      kind: 'phone',
      phone: PHONE,
      purpose: 'signup',
      verificationId: c.id,
      method: 'phone',
      verifiedAt: T0,
      expiresAt: T0 + 300_000,
    });
  });

  it('the token shows neither the number nor the subject, in any segment', async () => {
    const t = proofSetup({ totp: totp({ qr: false }) });
    const { proof } = await t.approve();
    const decoded = proof!
      .split('.')
      .map((x) => b64(x).toString('latin1'))
      .join(' ');
    expect(decoded.replace(/\D/g, '')).not.toContain('2133734253');
    const subject = 'ana@example.com';
    await t.verifier.totp.enroll({ subject, secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' });
    const { hotp } = await import('../../src/totp/otp');
    const token = hotp(Buffer.from('12345678901234567890'), Math.floor(t.clock.now / 30_000), {
      algorithm: 'sha1',
      digits: 6,
    });
    (await t.verifier.totp.confirm({ subject, token }))._unsafeUnwrap();
    t.advance(30_000);
    const token2 = hotp(Buffer.from('12345678901234567890'), Math.floor(t.clock.now / 30_000), {
      algorithm: 'sha1',
      digits: 6,
    });
    const v = (await t.verifier.totp.verify({ subject, token: token2 }))._unsafeUnwrap();
    const text = v
      .proof!.split('.')
      .map((x) => b64(x).toString('latin1'))
      .join(' ');
    expect(text).not.toContain('ana@');
    expect(text).not.toContain('example.com');
    const opened = (
      await t.verifier.verifyProof(v.proof!, { purpose: 'verify', subject })
    )._unsafeUnwrap();
    expect(opened).toMatchObject({ kind: 'subject', subject, method: 'totp' });
  });

  it('proof: false issues none and verifies none', async () => {
    const t = proofSetup({ proof: false });
    const c = await t.approve();
    expect(c).not.toHaveProperty('proof');
    const other = (await proofSetup().approve()).proof!;
    expect(
      (await t.verifier.verifyProof(other, { purpose: 'signup' }))._unsafeUnwrapErr().code,
    ).toBe('proof_invalid');
  });

  it('rejects misconfiguration at construction', () => {
    const { options } = proofSetup();
    expect(() => createVerifier({ ...options, proof: { ttlMs: 5 } })).toThrow(/proof\.ttlMs/);
    expect(() => createVerifier({ ...options, proof: { issuer: '' } })).toThrow(/proof\.issuer/);
    expect(() => createVerifier({ ...options, proof: { audience: [] } })).toThrow(
      /proof\.audience/,
    );
  });
});

describe('verifying', () => {
  it('needs a purpose; checks the phone or subject binding', async () => {
    const t = proofSetup();
    const { proof } = await t.approve();
    // @ts-expect-error purpose missing
    expect((await t.verifier.verifyProof(proof!, {}))._unsafeUnwrapErr().code).toBe(
      'invalid_request',
    );
    expect(
      (
        await t.verifier.verifyProof(proof!, { purpose: 'signup', phone: '(213) 373-4253' })
      )._unsafeUnwrapErr().code,
    ).toBe('invalid_phone');
    expect(
      (
        await t.verifier.verifyProof(proof!, { purpose: 'signup', phone: '+1 213-373-4253' })
      ).isOk(),
    ).toBe(true);
    expect(
      (
        await t.verifier.verifyProof(proof!, { purpose: 'signup', phone: '+12133734254' })
      )._unsafeUnwrapErr().code,
    ).toBe('proof_invalid');
    expect(
      (
        await t.verifier.verifyProof(proof!, { purpose: 'signup', subject: PHONE })
      )._unsafeUnwrapErr().code,
    ).toBe('proof_invalid');
    for (const junk of ['', 'a.b.c', 'x'.repeat(5000), 42, null]) {
      expect(
        (await t.verifier.verifyProof(junk as string, { purpose: 'signup' }))._unsafeUnwrapErr()
          .code,
      ).toBe('proof_invalid');
    }
  });

  test.prop([fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 })], { numRuns: 60 })(
    'any flipped bit in header, payload or signature is refused',
    async (segment, byte, bit) => {
      const t = proofSetup();
      const { proof } = await t.approve();
      const parts = proof!.split('.');
      const i = segment % 3;
      const bytes = b64(parts[i]!);
      bytes[byte % bytes.length]! ^= 1 << bit;
      parts[i] = bytes.toString('base64url');
      const r = await t.verifier.verifyProof(parts.join('.'), { purpose: 'signup' });
      expect(r._unsafeUnwrapErr().code).toBe('proof_invalid');
    },
  );

  it('refuses a payload spliced from another proof, alg none, and a foreign key', async () => {
    const t = proofSetup();
    const a = (await t.approve(PHONE)).proof!.split('.');
    const b = (await t.approve('+12133734254')).proof!.split('.');
    expect(
      (
        await t.verifier.verifyProof([a[0], b[1], a[2]].join('.'), { purpose: 'signup' })
      )._unsafeUnwrapErr().code,
    ).toBe('proof_invalid');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'phoneproof-proof+jwt' })).toString('base64url')}.${a[1]}.`;
    expect(
      (await t.verifier.verifyProof(none, { purpose: 'signup' }))._unsafeUnwrapErr().code,
    ).toBe('proof_invalid');
    const forged = await new SignJWT(JSON.parse(b64(a[1]!).toString()))
      .setProtectedHeader({ ...JSON.parse(b64(a[0]!).toString()) })
      .sign(new TextEncoder().encode(SECRET));
    expect(
      (await t.verifier.verifyProof(forged, { purpose: 'signup' }))._unsafeUnwrapErr().code,
    ).toBe('proof_invalid');
  });

  test.prop([fc.integer({ min: 10, max: 3600 }), fc.integer({ min: 0, max: 7_200_000 })], {
    numRuns: 60,
  })('accepted strictly before expiry, refused from then on', async (ttlSeconds, elapsed) => {
    const t = proofSetup({ proof: { ttlMs: ttlSeconds * 1000 } });
    const { proof } = await t.approve();
    t.advance(elapsed);
    const r = await t.verifier.verifyProof(proof!, { purpose: 'signup' });
    if (elapsed < ttlSeconds * 1000) expect(r.isOk()).toBe(true);
    else expect(r._unsafeUnwrapErr().code).toBe('proof_expired');
  });

  test.prop([fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/).filter((p) => p !== 'signup')], {
    numRuns: 60,
  })('a proof for one purpose never satisfies another', async (purpose) => {
    const t = proofSetup();
    const { proof } = await t.approve();
    const r = await t.verifier.verifyProof(proof!, { purpose });
    expect(r._unsafeUnwrapErr().code).toBe('proof_invalid');
  });

  test.prop([fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 6 })], {
    numRuns: 40,
  })(
    'single use: the first verification succeeds, every later one is proof_used (any instance)',
    async (instances) => {
      const t = proofSetup({ proof: { singleUse: true } });
      const twin = createVerifier(t.options);
      const { proof } = await t.approve();
      const results = [];
      for (const i of instances)
        results.push(await [t.verifier, twin][i]!.verifyProof(proof!, { purpose: 'signup' }));
      expect(results[0]!.isOk()).toBe(true);
      for (const r of results.slice(1)) expect(r._unsafeUnwrapErr().code).toBe('proof_used');
    },
  );

  it('without single use a proof verifies many times; per-call singleUse overrides', async () => {
    const t = proofSetup();
    const { proof } = await t.approve();
    for (let i = 0; i < 3; i++)
      expect((await t.verifier.verifyProof(proof!, { purpose: 'signup' })).isOk()).toBe(true);
    expect(
      (await t.verifier.verifyProof(proof!, { purpose: 'signup', singleUse: true })).isOk(),
    ).toBe(true);
    expect(
      (
        await t.verifier.verifyProof(proof!, { purpose: 'signup', singleUse: true })
      )._unsafeUnwrapErr().code,
    ).toBe('proof_used');
  });

  it('secret rotation: proofs from the previous secret still verify; unknown secrets do not', async () => {
    const t = proofSetup();
    const { proof } = await t.approve();
    const NEW = 'next-secret-next-secret-next-secret-0001';
    const rotated = createVerifier({ ...t.options, secret: [NEW, SECRET] });
    expect((await rotated.verifyProof(proof!, { purpose: 'signup' })).isOk()).toBe(true);
    const stranger = createVerifier({ ...t.options, secret: NEW, lookupSecret: SECRET });
    expect(
      (await stranger.verifyProof(proof!, { purpose: 'signup' }))._unsafeUnwrapErr().code,
    ).toBe('proof_invalid');
  });

  it('issuer and audience are checked', async () => {
    const t = proofSetup({ proof: { issuer: 'acme', audience: 'api.acme.test' } });
    const { proof } = await t.approve();
    expect((await t.verifier.verifyProof(proof!, { purpose: 'signup' })).isOk()).toBe(true);
    const otherIss = createVerifier({
      ...t.options,
      proof: { issuer: 'other', audience: 'api.acme.test' },
    });
    expect(
      (await otherIss.verifyProof(proof!, { purpose: 'signup' }))._unsafeUnwrapErr().code,
    ).toBe('proof_invalid');
    const otherAud = createVerifier({
      ...t.options,
      proof: { issuer: 'acme', audience: 'admin.acme.test' },
    });
    expect(
      (await otherAud.verifyProof(proof!, { purpose: 'signup' }))._unsafeUnwrapErr().code,
    ).toBe('proof_invalid');
  });

  it('fails closed when the store is unreachable', async () => {
    const t = proofSetup();
    const { proof } = await t.approve();
    let down = false;
    const flaky = {
      update: <T>(k: string, f: (c: string | undefined) => { result: T }) =>
        down ? Promise.reject(new Error('down')) : t.store.update(k, f as never),
      get: (k: string) => (down ? Promise.reject(new Error('down')) : t.store.get(k)),
    };
    const v = createVerifier({ ...t.options, store: flaky as never });
    down = true;
    expect((await v.verifyProof(proof!, { purpose: 'signup' }))._unsafeUnwrapErr().code).toBe(
      'store_unavailable',
    );
    down = false;
    expect((await v.verifyProof(proof!, { purpose: 'signup' })).isOk()).toBe(true);
  });
});
