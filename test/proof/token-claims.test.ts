/**
 * Reading a proof token (`readProof`) over src/crypto/jws.ts: a signed token whose `sub` (the
 * sealed identifier) is not a string is refused before anything tries to open it, and every
 * refusal keeps the verifier's reason as its `cause` (for logs: the caller sees only
 * `proof_invalid` or `proof_expired`). Keys are derived inside each test.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ProofConfig, proofKeys, readProof, signProof } from '../../src/proof/token';
import { keyring } from '../../src/secrets';
import { SECRET, T0 } from './support';

const config: ProofConfig = {
  ttlMs: 60_000,
  singleUse: false,
  issuer: 'phoneproof',
  audience: ['app'],
};
const claims = {
  kind: 'subject' as const,
  purpose: 'login',
  verificationId: 'v-2',
  method: 'totp' as const,
  verifiedAt: T0,
};

async function setup() {
  const keys = proofKeys(keyring(SECRET));
  const token = (
    await signProof(keys, config, claims, { sealed: 'sealed-sub' }, 'jti-2', T0)
  )._unsafeUnwrap();
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  /** The issued claims with `change` applied, signed with the ring's first key. */
  const resigned = (change: Record<string, unknown>) => {
    const k = keys[0]!;
    const enc = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');
    const input = `${enc({ alg: 'HS256', typ: 'phoneproof-proof+jwt', kid: k.kid })}.${enc({ ...payload, ...change })}`;
    return `${input}.${createHmac('sha256', k.raw).update(input).digest('base64url')}`;
  };
  return { keys, token, payload, resigned };
}

describe('readProof claims', () => {
  it('reads the subject-kind claims back, audience included', async () => {
    const { keys, token, payload } = await setup();
    expect(payload.aud).toEqual(['app']);
    expect((await readProof(keys, config, token, T0))._unsafeUnwrap()).toEqual({
      kind: 'subject',
      sealed: 'sealed-sub',
      purpose: 'login',
      verificationId: 'v-2',
      method: 'totp',
      verifiedAt: T0,
      jti: 'jti-2',
      iat: T0 / 1000,
      exp: T0 / 1000 + 60,
    });
  });

  it('refuses a sealed identifier that is not a string', async () => {
    const { keys, resigned } = await setup();
    expect((await readProof(keys, config, resigned({}), T0)).isOk()).toBe(true);
    for (const sub of [5, null, ['sealed-sub'], { sealed: 'sealed-sub' }]) {
      const e = (await readProof(keys, config, resigned({ sub }), T0))._unsafeUnwrapErr();
      expect(e.code, JSON.stringify(sub)).toBe('proof_invalid');
      expect(e.message, JSON.stringify(sub)).toMatch(/lacks required claims/);
    }
  });

  it("keeps the verifier's reason as the cause of each refusal", async () => {
    const { keys, token, resigned } = await setup();
    const cause = async (t: string, at = T0, c = config) => {
      const e = (await readProof(keys, c, t, at))._unsafeUnwrapErr();
      return `${e.code}: ${(e.cause as Error | undefined)?.message}`;
    };
    expect(await cause(token, T0 + 60_000)).toBe('proof_expired: Expired.');
    expect(await cause(resigned({ aud: 'other' }))).toBe('proof_invalid: Unexpected aud.');
    expect(await cause(token, T0, { ...config, issuer: 'other' })).toBe(
      'proof_invalid: Unexpected iss.',
    );
    expect(await cause(`${token}x`.replace(/\.[^.]*$/, '.AAAA'))).toBe(
      'proof_invalid: The signature does not verify.',
    );
  });
});
