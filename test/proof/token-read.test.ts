/**
 * Reading a proof token (`readProof`), below the verifier: an expired token is reported as
 * `proof_expired` (not as an invalid one), and a token signed with the right key but whose
 * claims have the wrong shape is refused for that reason, before any binding or stamp check.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ProofConfig, proofKeys, readProof, signProof } from '../../src/proof/token';
import { keyring } from '../../src/secrets';
import { SECRET, T0 } from './support';

const keys = proofKeys(keyring(SECRET));
const config: ProofConfig = {
  ttlMs: 60_000,
  singleUse: false,
  issuer: 'phoneproof',
  audience: undefined,
};
const claims = {
  kind: 'phone' as const,
  purpose: 'signup',
  verificationId: 'v-1',
  method: 'phone' as const,
  verifiedAt: T0,
};

async function issued(): Promise<string> {
  return (
    await signProof(keys, config, claims, { sealed: 'sealed-sub' }, 'jti-1', T0)
  )._unsafeUnwrap();
}

function signed(payload: Record<string, unknown>): string {
  const key = keys[0]!;
  const enc = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');
  const input = `${enc({ alg: 'HS256', typ: 'phoneproof-proof+jwt', kid: key.kid })}.${enc(payload)}`;
  return `${input}.${createHmac('sha256', key.raw).update(input).digest('base64url')}`;
}

describe('readProof', () => {
  it('reads back what was signed, and a token past its expiry is proof_expired', async () => {
    const token = await issued();
    const read = (await readProof(keys, config, token, T0 + 1_000))._unsafeUnwrap();
    expect(read).toMatchObject({
      kind: 'phone',
      sealed: 'sealed-sub',
      purpose: 'signup',
      jti: 'jti-1',
    });
    const late = await readProof(keys, config, token, T0 + 60_000 + 1_000);
    expect(late._unsafeUnwrapErr().code).toBe('proof_expired');
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await readProof(keys, config, forged, T0))._unsafeUnwrapErr().code).toBe(
      'proof_invalid',
    );
  });

  it('a claim of the wrong shape is refused as lacking required claims', async () => {
    const token = await issued();
    const good = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect((await readProof(keys, config, signed(good), T0)).isOk()).toBe(true);
    for (const change of [{ sty: 'other' }, { vat: '1' }, { jti: 5 }, { mth: 'sms' }, { pur: 5 }]) {
      const r = await readProof(keys, config, signed({ ...good, ...change }), T0);
      const e = r._unsafeUnwrapErr();
      expect(e.code, JSON.stringify(change)).toBe('proof_invalid');
      expect(e.message, JSON.stringify(change)).toMatch(/lacks required claims/);
    }
  });

  it('a token whose kid names no key of the ring is refused', async () => {
    const token = await issued();
    const [, payload, sig] = token.split('.');
    const header = Buffer.from(
      JSON.stringify({ alg: 'HS256', typ: 'phoneproof-proof+jwt', kid: 'ffffffffffffffff' }),
    ).toString('base64url');
    const r = await readProof(keys, config, `${header}.${payload}.${sig}`, T0);
    expect(r._unsafeUnwrapErr().code).toBe('proof_invalid');
  });

  it('signs with the proof key derived for proofs alone: known answers that later versions must keep', async () => {
    // A change of the derivation label or of the kid would make every issued proof unreadable
    // after an upgrade (and a shared label would reuse another kind's key).
    // Derived inside the test (not at module load), so the derivation itself is what runs.
    const fresh = proofKeys(keyring(SECRET));
    expect(fresh[0]!.kid).toBe('W6i4N9obza5qtimL');
    const token = (
      await signProof(fresh, config, claims, { sealed: 'sealed-sub' }, 'jti-1', T0)
    )._unsafeUnwrap();
    expect(token.split('.')[2]).toBe('xUgnJHgEHOfKSXOF1S2piM46dznmgI5xu5VFF0V859Y');
  });
});
