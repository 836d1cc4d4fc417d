/**
 * src/crypto/jws.ts against `jose`'s `jwtVerify` (which it replaced for proof tokens) as the
 * oracle: over generated headers and claims (typ variants, crit, issuer, audience, iat, nbf,
 * exp around now, other algorithms, other keys), both accept the same tokens and tell an
 * expired token from an invalid one the same way; plus the refusals jose did not make.
 */
import fc from 'fast-check';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { hmacText, toBase64Url, utf8 } from '../../src/crypto';
import { signJwt, verifyJwt } from '../../src/crypto/jws';

const KEY = utf8('k'.repeat(32));
const OTHER = utf8('o'.repeat(32));
const NOW = 1_700_000_000_000;
const TYP = 'phoneproof-proof+jwt';
const CHECKS = {
  typ: TYP,
  issuer: 'pp',
  audience: ['a', 'b'],
  requiredClaims: ['sub', 'jti', 'iat', 'exp'],
  now: NOW,
};

const b64 = (v: unknown) => toBase64Url(utf8(JSON.stringify(v)));
/** A token with any header (any `alg`), signed HS256 under `key`. */
const raw = (key: Uint8Array, header: object, payload: object) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${hmacText('sha256', key, input, 'base64url')}`;
};

async function jose(token: string): Promise<string> {
  try {
    await jwtVerify(token, KEY, {
      algorithms: ['HS256'],
      typ: TYP,
      issuer: CHECKS.issuer,
      audience: CHECKS.audience,
      currentDate: new Date(NOW),
      requiredClaims: CHECKS.requiredClaims,
    });
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'expired' : 'invalid';
  }
}

function ours(token: string): string {
  const r = verifyJwt(token, () => KEY, CHECKS);
  return r.ok ? 'ok' : r.reason;
}

const sec = Math.floor(NOW / 1000);
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const time = fc.oneof(fc.integer({ min: sec - 3, max: sec + 3 }), fc.constant('soon'));

describe('verifyJwt agrees with jose', () => {
  it('on generated headers and claims', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          alg: fc.constantFrom('HS256', 'HS256', 'HS512', 'none'),
          typ: optional(
            fc.constantFrom(TYP, 'application/PHONEPROOF-proof+JWT', 'JWT', 'x/' + TYP),
          ),
          crit: optional(fc.constantFrom(['b64'], ['exp'], [])),
          b64: optional(fc.boolean()),
        }),
        fc.record({
          sub: optional(fc.constant('s')),
          jti: optional(fc.constant('j')),
          iss: optional(fc.constantFrom('pp', 'other')),
          aud: optional(fc.constantFrom('a', 'c', ['c', 'b'], ['c'], 7)),
          iat: optional(time),
          nbf: optional(time),
          exp: optional(time),
        }),
        fc.boolean(),
        async (header, claims, rightKey) => {
          const h = Object.fromEntries(Object.entries(header).filter(([, v]) => v !== undefined));
          const c = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
          const token = raw(rightKey ? KEY : OTHER, h, c);
          expect(ours(token)).toBe(await jose(token));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('signs what jose verifies', async () => {
    const token = signJwt(
      KEY,
      { typ: TYP, kid: 'x' },
      { sub: 's', jti: 'j', iss: 'pp', aud: 'a', iat: sec, exp: sec + 60 },
    );
    expect(await jose(token)).toBe('ok');
    expect(ours(token)).toBe('ok');
    expect(JSON.parse(atob(token.split('.')[0]!))).toEqual({ alg: 'HS256', typ: TYP, kid: 'x' });
  });
});

describe('verifyJwt refuses what is not canonical', () => {
  const good = signJwt(
    KEY,
    { typ: TYP },
    { sub: 's', jti: 'j', iss: 'pp', aud: 'a', iat: sec, exp: sec + 60 },
  );
  it('accepts the canonical token', () => expect(ours(good)).toBe('ok'));
  it('refuses padding, the base64 alphabet, extra segments and an unknown key', () => {
    const [h, p, s] = good.split('.') as [string, string, string];
    expect(ours(`${h}.${p}.${s}=`)).toBe('invalid');
    // The same bytes in the base64 alphabet (`+` decodes as `-` does).
    expect(ours(`${h}.${p}.${s.slice(0, -2)}+${s.slice(-1)}`)).toBe('invalid');
    expect(ours(`${good}.x`)).toBe('invalid');
    expect(verifyJwt(good, () => undefined, CHECKS)).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });
  it('an expired token with a bad signature is invalid, not expired', () => {
    const expired = raw(
      OTHER,
      { alg: 'HS256', typ: TYP },
      { sub: 's', jti: 'j', iss: 'pp', aud: 'a', iat: sec - 99, exp: sec - 1 },
    );
    expect(ours(expired)).toBe('invalid');
    expect(
      ours(
        raw(
          KEY,
          { alg: 'HS256', typ: TYP },
          { sub: 's', jti: 'j', iss: 'pp', aud: 'a', iat: sec - 99, exp: sec },
        ),
      ),
    ).toBe('expired');
  });
});
