/**
 * src/crypto/jws.ts one change at a time: each test starts from a token the verifier accepts
 * and changes one thing (a header, a claim, an edge of time), then checks the verdict and the
 * reason given. The generated comparison with `jose` (jws.test.ts) draws mostly tokens that
 * fail several checks at once, so it seldom shows which check refused; these pin each one.
 * Tokens are signed here with node:crypto, and keys are made inside each test.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type JwtChecks, verifyJwt } from '../../src/crypto/jws';

const TYP = 'phoneproof-proof+jwt';
/** Half a second into a whole second: claims are compared in whole seconds. */
const NOW = 1_700_000_000_500;
const SEC = 1_700_000_000;

const key = () => new TextEncoder().encode('k'.repeat(32));
const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const mac = (input: string) => createHmac('sha256', key()).update(input).digest('base64url');
/** A token of raw segments (any JSON), HS256 under the test key. */
const rawToken = (header: unknown, payload: unknown) => {
  const input = `${enc(header)}.${enc(payload)}`;
  return `${input}.${mac(input)}`;
};

const HEADER = { alg: 'HS256', typ: TYP };
const CLAIMS = { sub: 's', jti: 'j', iss: 'pp', aud: 'a', iat: SEC - 10, exp: SEC + 60 };
const checks = (over: Partial<JwtChecks> = {}): JwtChecks => ({
  typ: TYP,
  issuer: 'pp',
  audience: ['a', 'b'],
  requiredClaims: ['sub', 'jti', 'iat', 'exp'],
  now: NOW,
  ...over,
});

/** `ok`, or `reason: message`. */
function verdict(token: string, over: Partial<JwtChecks> = {}): string {
  const r = verifyJwt(token, () => key(), checks(over));
  return r.ok ? 'ok' : `${r.reason}: ${r.message}`;
}
const withHeader = (h: Record<string, unknown>, over?: Partial<JwtChecks>) =>
  verdict(rawToken({ ...HEADER, ...h }, CLAIMS), over);
const withClaims = (c: Record<string, unknown>, over?: Partial<JwtChecks>) =>
  verdict(rawToken(HEADER, { ...CLAIMS, ...c }), over);
const without = (name: string, over?: Partial<JwtChecks>) => {
  const { [name as keyof typeof CLAIMS]: _, ...rest } = CLAIMS;
  return verdict(rawToken(HEADER, rest), over);
};

describe('verifyJwt: the token and its header', () => {
  it('accepts the unchanged token, and gives back its header and claims', () => {
    const r = verifyJwt(rawToken(HEADER, CLAIMS), () => key(), checks());
    expect(r).toEqual({ ok: true, header: HEADER, payload: CLAIMS });
  });

  it('refuses a token that is not three base64url segments', () => {
    const good = rawToken(HEADER, CLAIMS);
    expect(verdict(good.split('.').slice(0, 2).join('.'))).toBe('invalid: Invalid JWS.');
    expect(verdict(`${good}.`)).toBe('invalid: Invalid JWS.');
    expect(verdict(`.${good.split('.').slice(1).join('.')}`)).toBe('invalid: Invalid JWS.');
  });

  it('refuses a header that is not a JSON object, before looking at any of its fields', () => {
    for (const header of [null, 'HS256', 5, [HEADER], true]) {
      expect(verdict(rawToken(header, CLAIMS)), JSON.stringify(header)).toBe(
        'invalid: The JWS header is invalid.',
      );
    }
    // Bytes that are not UTF-8, and text that is not JSON.
    const bad = (bytes: Buffer) => {
      const input = `${bytes.toString('base64url')}.${enc(CLAIMS)}`;
      return verdict(`${input}.${mac(input)}`);
    };
    expect(bad(Buffer.from([0x7b, 0xff, 0x7d]))).toBe('invalid: The JWS header is invalid.');
    expect(bad(Buffer.from('{alg:HS256}'))).toBe('invalid: The JWS header is invalid.');
  });

  it('refuses any algorithm but HS256, even with an HS256 signature', () => {
    for (const alg of ['HS512', 'none', 'hs256', undefined]) {
      expect(withHeader({ alg }), String(alg)).toBe('invalid: The JWS algorithm is not allowed.');
    }
  });

  it('understands only the critical header b64 with b64: true', () => {
    expect(withHeader({ crit: ['b64'], b64: true })).toBe('ok');
    for (const h of [
      { crit: ['b64'] },
      { crit: ['b64'], b64: false },
      { crit: ['b64'], b64: 'true' },
      { crit: ['exp'], b64: true },
      { crit: ['b64', 'exp'], b64: true },
      { crit: [], b64: true },
      { crit: 'b64', b64: true },
      { crit: { 0: 'b64', length: 1 }, b64: true },
      { crit: null, b64: true },
    ]) {
      expect(withHeader(h), JSON.stringify(h)).toBe('invalid: Unsupported critical header.');
    }
  });

  it('refuses a kid that names no key, and a signature under another key', () => {
    const token = rawToken(HEADER, CLAIMS);
    expect(verifyJwt(token, () => undefined, checks())).toEqual({
      ok: false,
      reason: 'invalid',
      message: 'Unknown key.',
    });
    const other = verifyJwt(token, () => new TextEncoder().encode('o'.repeat(32)), checks());
    expect(other).toEqual({
      ok: false,
      reason: 'invalid',
      message: 'The signature does not verify.',
    });
  });

  it('refuses claims that are not a JSON object, once the signature verifies', () => {
    for (const payload of [null, [CLAIMS], 'claims', 7]) {
      expect(verdict(rawToken(HEADER, payload)), JSON.stringify(payload)).toBe(
        'invalid: The claims set must be a JSON object.',
      );
    }
  });
});

describe('verifyJwt: typ', () => {
  it('compares typ as a media type: case-insensitive, application/ implied', () => {
    expect(withHeader({ typ: TYP.toUpperCase() })).toBe('ok');
    expect(withHeader({ typ: `application/${TYP}` })).toBe('ok');
    expect(withHeader({ typ: `APPLICATION/${TYP.toUpperCase()}` })).toBe('ok');
    expect(withHeader({ typ: TYP }, { typ: `Application/${TYP}` })).toBe('ok');
    expect(withHeader({ typ: `application/${TYP}` }, { typ: TYP.toUpperCase() })).toBe('ok');
  });

  it('refuses a missing, non-string or other typ', () => {
    for (const typ of [undefined, 5, 'JWT', `x/${TYP}`, `${TYP}x`, 'application/jwt']) {
      expect(withHeader({ typ }), String(typ)).toBe('invalid: Unexpected typ.');
    }
  });
});

describe('verifyJwt: claims', () => {
  it('requires each required claim, iss always and aud when an audience is set', () => {
    for (const name of ['sub', 'jti', 'iat', 'exp', 'iss']) {
      expect(without(name), name).toBe(`invalid: Missing ${name}.`);
    }
    expect(without('aud')).toBe('invalid: Missing aud.');
    expect(without('aud', { audience: 'a' })).toBe('invalid: Missing aud.');
    expect(without('aud', { audience: undefined })).toBe('ok');
    expect(without('jti', { requiredClaims: [] })).toBe('ok');
    expect(withClaims({ jti: null })).toBe('ok');
  });

  it('requires iss to equal the issuer', () => {
    for (const iss of ['other', 'PP', ['pp'], null]) {
      expect(withClaims({ iss }), JSON.stringify(iss)).toBe('invalid: Unexpected iss.');
    }
  });

  it('requires aud to share one audience with the list', () => {
    expect(withClaims({ aud: 'b' })).toBe('ok');
    expect(withClaims({ aud: ['c', 'b'] })).toBe('ok');
    expect(withClaims({ aud: ['a'] })).toBe('ok');
    for (const aud of ['c', ['c'], [], 7, { a: 1 }, null, 'ab']) {
      expect(withClaims({ aud }), JSON.stringify(aud)).toBe('invalid: Unexpected aud.');
    }
  });

  it('with one audience as a string, compares whole names', () => {
    expect(withClaims({ aud: 'app' }, { audience: 'app' })).toBe('ok');
    expect(withClaims({ aud: ['x', 'app'] }, { audience: 'app' })).toBe('ok');
    for (const aud of ['a', 'pp', 'apps', ['a'], ['ap']]) {
      expect(withClaims({ aud }, { audience: 'app' }), JSON.stringify(aud)).toBe(
        'invalid: Unexpected aud.',
      );
    }
  });

  it('with no audience, any aud is accepted', () => {
    expect(withClaims({ aud: 'c' }, { audience: undefined })).toBe('ok');
  });

  it('refuses iat, nbf or exp that are not numbers', () => {
    for (const name of ['iat', 'nbf', 'exp']) {
      for (const value of ['soon', null, [SEC], true]) {
        expect(withClaims({ [name]: value }), `${name} ${JSON.stringify(value)}`).toBe(
          `invalid: Bad ${name}.`,
        );
      }
    }
  });

  it('nbf: valid from that second on (no tolerance)', () => {
    expect(withClaims({ nbf: SEC - 1 })).toBe('ok');
    expect(withClaims({ nbf: SEC })).toBe('ok');
    expect(withClaims({ nbf: SEC + 1 })).toBe('invalid: Not yet valid.');
    expect(withClaims({ nbf: SEC + 1 }, { now: NOW + 500 })).toBe('ok');
  });

  it('exp: expired from that second on (no tolerance), and only then said to be expired', () => {
    expect(withClaims({ exp: SEC + 1 })).toBe('ok');
    expect(withClaims({ exp: SEC })).toBe('expired: Expired.');
    expect(withClaims({ exp: SEC - 100 })).toBe('expired: Expired.');
    expect(withClaims({ exp: SEC + 1 }, { now: NOW + 500 })).toBe('expired: Expired.');
    expect(without('exp', { requiredClaims: [] })).toBe('ok');
  });
});
