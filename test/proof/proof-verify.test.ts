/**
 * `verifyProof` at its edges, through the public verifier: each refusal says why (proofs off,
 * no purpose, another purpose, number or subject, a token that cannot be opened); a subject's
 * proof never passes for a phone and the reverse; a per-call `singleUse: false` overrides the
 * configured single use; a revocation holds for a long proof lifetime as well as the default.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index';
import { proofKeys } from '../../src/proof/token';
import { keyring } from '../../src/secrets';
import { totp } from '../../src/totp/index';
import { enrolled, SUBJECT, totpSetup } from '../totp/support';
import { PHONE, proofSetup, SECRET } from './support';

const b64 = (s: string) => Buffer.from(s, 'base64url');

/** The claims of a token (its payload), decoded. */
const claimsOf = (token: string) =>
  JSON.parse(b64(token.split('.')[1]!).toString()) as Record<string, unknown>;

/** A token signed with the verifier's own current proof key, with any payload. */
function signed(payload: Record<string, unknown>): string {
  const key = proofKeys(keyring(SECRET))[0]!;
  const header = { alg: 'HS256', typ: 'phoneproof-proof+jwt', kid: key.kid };
  const enc = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');
  const input = `${enc(header)}.${enc(payload)}`;
  return `${input}.${createHmac('sha256', key.raw).update(input).digest('base64url')}`;
}

/** A subject's proof (an authenticator code accepted), purpose `verify`. */
async function subjectProof() {
  const t = totpSetup({ totp: totp({ qr: false }) });
  const { app } = await enrolled(t);
  t.advance(30_000);
  const v = (await t.verifier.totp.verify({ subject: SUBJECT, token: app.code() }))._unsafeUnwrap();
  return { t, proof: v.proof! };
}

describe('refusals say why', () => {
  it('proofs turned off', async () => {
    const t = proofSetup({ proof: false });
    const other = (await proofSetup().approve()).proof!;
    const e = (await t.verifier.verifyProof(other, { purpose: 'signup' }))._unsafeUnwrapErr();
    expect(e).toMatchObject({
      code: 'proof_invalid',
      message: 'Proofs are turned off (proof: false).',
    });
  });

  it('options without a valid purpose are invalid_request, whatever the token', async () => {
    const t = proofSetup();
    const { proof } = await t.approve();
    const need = {
      code: 'invalid_request',
      message: 'verifyProof needs { purpose }: the purpose the proof must carry.',
    };
    for (const opts of [
      undefined,
      null,
      'signup',
      5,
      {},
      { purpose: 'two words' },
      { purpose: 5 },
    ]) {
      const r = await t.verifier.verifyProof(proof!, opts as never);
      expect(r._unsafeUnwrapErr(), JSON.stringify(opts)).toMatchObject(need);
    }
  });

  it('another purpose, another number, another subject', async () => {
    const t = proofSetup();
    const { proof } = await t.approve();
    const refused = async (opts: Parameters<typeof t.verifier.verifyProof>[1]) =>
      (await t.verifier.verifyProof(proof!, opts))._unsafeUnwrapErr();
    expect(await refused({ purpose: 'login' })).toMatchObject({
      code: 'proof_invalid',
      message: 'The proof token is for another purpose.',
    });
    expect(await refused({ purpose: 'signup', phone: '+12133734254' })).toMatchObject({
      code: 'proof_invalid',
      message: 'The proof token is for another phone number.',
    });
    expect(await refused({ purpose: 'signup', subject: PHONE })).toMatchObject({
      code: 'proof_invalid',
      message: 'The proof token is for another subject.',
    });
  });

  it('a token signed with the right key whose sealed identity does not open', async () => {
    const t = proofSetup();
    const { proof } = await t.approve();
    const good = claimsOf(proof!);
    const sealed = String(good.sub);
    // Another sealed value's bytes: one flipped bit in the ciphertext, and a value cut short.
    const bytes = b64(sealed);
    bytes[bytes.length - 1]! ^= 1;
    for (const sub of [bytes.toString('base64url'), sealed.slice(0, 20), 'AAAA']) {
      const e = (
        await t.verifier.verifyProof(signed({ ...good, sub }), { purpose: 'signup' })
      )._unsafeUnwrapErr();
      expect(e, sub).toMatchObject({
        code: 'proof_invalid',
        message: 'The proof token cannot be opened.',
      });
    }
  });
});

describe('phone and subject bindings', () => {
  it("a subject's proof passes for its subject only, never for a phone", async () => {
    const { t, proof } = await subjectProof();
    const ok = await t.verifier.verifyProof(proof, { purpose: 'verify', subject: SUBJECT });
    expect(ok._unsafeUnwrap()).toMatchObject({ kind: 'subject', subject: SUBJECT });
    expect(
      (
        await t.verifier.verifyProof(proof, { purpose: 'verify', subject: 'someone-else' })
      )._unsafeUnwrapErr(),
    ).toMatchObject({ code: 'proof_invalid', message: 'The proof token is for another subject.' });
    expect(
      (await t.verifier.verifyProof(proof, { purpose: 'verify', phone: PHONE }))._unsafeUnwrapErr(),
    ).toMatchObject({
      code: 'proof_invalid',
      message: 'The proof token is for another phone number.',
    });
  });

  it('a subject-kind token whose identity reads as a number does not pass for that number', async () => {
    // The sealed identity is the phone number; only the kind says "subject".
    const t = proofSetup();
    const { proof } = await t.approve();
    const asSubject = signed({ ...claimsOf(proof!), sty: 'subject' });
    expect(
      (
        await t.verifier.verifyProof(asSubject, { purpose: 'signup', phone: PHONE })
      )._unsafeUnwrapErr(),
    ).toMatchObject({
      code: 'proof_invalid',
      message: 'The proof token is for another phone number.',
    });
    expect(
      (
        await t.verifier.verifyProof(asSubject, { purpose: 'signup', subject: PHONE })
      )._unsafeUnwrap(),
    ).toMatchObject({ kind: 'subject', subject: PHONE });
  });

  it('revoking the subject revokes its proofs; revoking a number with the same text does not', async () => {
    const { t, proof } = await subjectProof();
    t.advance(1);
    (await t.verifier.invalidate({ phone: PHONE }))._unsafeUnwrap();
    expect((await t.verifier.verifyProof(proof, { purpose: 'verify' })).isOk()).toBe(true);
    (await t.verifier.invalidate({ subject: SUBJECT }))._unsafeUnwrap();
    expect(
      (await t.verifier.verifyProof(proof, { purpose: 'verify' }))._unsafeUnwrapErr().code,
    ).toBe('proof_revoked');
  });
});

describe('single use and revocation over time', () => {
  it('a per-call singleUse: false verifies a proof of a single-use verifier many times', async () => {
    const t = proofSetup({ proof: { singleUse: true } });
    const { proof } = await t.approve();
    for (let i = 0; i < 3; i++) {
      const r = await t.verifier.verifyProof(proof!, { purpose: 'signup', singleUse: false });
      expect(r.isOk()).toBe(true);
    }
    // It was never consumed: the first single use still succeeds, the next does not.
    expect((await t.verifier.verifyProof(proof!, { purpose: 'signup' })).isOk()).toBe(true);
    expect(
      (await t.verifier.verifyProof(proof!, { purpose: 'signup' }))._unsafeUnwrapErr().code,
    ).toBe('proof_used');
  });

  it('with a one-day lifetime, a revoked proof stays revoked until it expires', async () => {
    const day = 86_400_000;
    const t = proofSetup({ proof: { ttlMs: day } });
    const { proof } = await t.approve();
    t.advance(1);
    (await t.verifier.invalidate({ phone: PHONE }))._unsafeUnwrap();
    for (const step of [10 * 60_000, 6 * 3_600_000, day - 10 * 60_000 - 6 * 3_600_000 - 2]) {
      t.advance(step);
      expect(
        (await t.verifier.verifyProof(proof!, { purpose: 'signup' }))._unsafeUnwrapErr().code,
      ).toBe('proof_revoked');
    }
    t.advance(1);
    expect(
      (await t.verifier.verifyProof(proof!, { purpose: 'signup' }))._unsafeUnwrapErr().code,
    ).toBe('proof_expired');
  });

  it('a single-use proof with a one-day lifetime stays used until it expires', async () => {
    const day = 86_400_000;
    const t = proofSetup({ proof: { ttlMs: day, singleUse: true } });
    const { proof } = await t.approve();
    t.advance(6 * 3_600_000);
    expect((await t.verifier.verifyProof(proof!, { purpose: 'signup' })).isOk()).toBe(true);
    t.advance(day - 6 * 3_600_000 - 1);
    expect(
      (await t.verifier.verifyProof(proof!, { purpose: 'signup' }))._unsafeUnwrapErr().code,
    ).toBe('proof_used');
  });
});

describe('what proofs accept and keep', () => {
  it('an audience list holds strings only', () => {
    const { options } = proofSetup();
    for (const audience of [[['api']], [{ length: 1 }], ['api', ['x']]]) {
      expect(
        () => createVerifier({ ...options, proof: { audience: audience as never } }),
        JSON.stringify(audience),
      ).toThrow(/proof\.audience must be a non-empty string or list of strings/);
    }
  });

  it('a token of up to 4096 characters is read, a longer one is refused unread', async () => {
    const t = proofSetup();
    const { proof } = await t.approve();
    const good = claimsOf(proof!);
    /** A validly signed token of exactly `length` characters (padded with an extra claim). */
    const ofLength = (length: number) => {
      const base = signed(good).length;
      const from = Math.max(0, Math.floor(((length - base) * 3) / 4) - 12);
      for (const extra of [{}, { q: 1 }, { q: 12 }]) {
        for (let n = from; n < from + 24; n++) {
          const token = signed({ ...good, ...extra, pad: 'a'.repeat(n) });
          if (token.length === length) return token;
        }
      }
      throw new Error(`no token of ${length} characters`);
    };
    const longest = ofLength(4096);
    expect((await t.verifier.verifyProof(longest, { purpose: 'signup' })).isOk()).toBe(true);
    for (const length of [4097, 4100, 6000]) {
      const r = await t.verifier.verifyProof(ofLength(length), { purpose: 'signup' });
      expect(r._unsafeUnwrapErr(), String(length)).toMatchObject({
        code: 'proof_invalid',
        message: 'The proof token is not valid.',
      });
    }
  });

  it('with proofs off, an authenticator approval carries no proof and invalidate keeps no stamp', async () => {
    const t = totpSetup({ totp: totp({ qr: false }), proof: false });
    const { app } = await enrolled(t);
    t.advance(30_000);
    const v = (
      await t.verifier.totp.verify({ subject: SUBJECT, token: app.code() })
    )._unsafeUnwrap();
    expect(v.status).toBe('approved');
    expect(v).not.toHaveProperty('proof');
    const before = new Set(t.store.entries().map(([k]) => k));
    const r = (await t.verifier.invalidate({ phone: PHONE, subject: SUBJECT }))._unsafeUnwrap();
    expect(r.revokedAt).toBe(t.clock.now);
    const added = t.store.entries().filter(([k]) => !before.has(k));
    expect(added.filter(([k]) => k.startsWith('stamp:'))).toEqual([]);
  });

  it('an invalidation keeps one record per target for proofs, and nothing more', async () => {
    /** The records an invalidation adds, with proofs on and with proofs off. */
    const addedBy = async (input: { phone?: string; subject?: string }, proof: false | object) => {
      const t = proofSetup({ proof });
      const keys = () => new Set(t.store.entries().map(([k]) => k));
      await t.approve(); // a record for the phone exists already
      const before = keys();
      (await t.verifier.invalidate(input))._unsafeUnwrap();
      const first = [...keys()].filter((k) => !before.has(k));
      // Again, later: the same records move forward, none is added.
      t.advance(1);
      const second = keys();
      (await t.verifier.invalidate(input))._unsafeUnwrap();
      expect([...keys()].filter((k) => !second.has(k))).toEqual([]);
      return first.length;
    };
    for (const [input, targets] of [
      [{ subject: 'user-1' }, 1],
      [{ phone: PHONE }, 1],
      [{ phone: '+12133734254' }, 1],
      [{ phone: PHONE, subject: 'user-2' }, 2],
    ] as const) {
      const on = await addedBy(input, {});
      const off = await addedBy(input, false);
      expect(on - off, JSON.stringify(input)).toBe(targets);
    }
  });
});
