/**
 * A signed token has exactly one accepted spelling. The signature segment of an HS256 token is
 * 43 base64url characters for 32 bytes: the last character carries 2 bits that decode to
 * nothing, so a lenient decoder accepts 4 spellings of every signature. src/crypto/jws.ts says
 * its segments must be canonical; an application that tracks proof tokens by their text (a
 * deny list on sign-out, a "seen" cache, a log search) must not be bypassed by re-spelling one.
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../src/crypto';
import { signJwt, verifyJwt } from '../../src/crypto/jws';

const KEY = utf8('k'.repeat(32));
const NOW = 1_700_000_000_000;
const sec = Math.floor(NOW / 1000);
const CHECKS = { typ: 'phoneproof-proof+jwt', issuer: 'pp', requiredClaims: ['sub'], now: NOW };
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('verifyJwt: one spelling per signed token', () => {
  it('refuses the signature re-spelled in the bits base64url leaves unused', () => {
    const token = signJwt(
      KEY,
      { typ: 'phoneproof-proof+jwt' },
      { sub: 's', iss: 'pp', iat: sec, exp: sec + 60 },
    );
    expect(verifyJwt(token, () => KEY, CHECKS).ok).toBe(true);
    const last = URL_SAFE.indexOf(token.at(-1)!);
    const accepted = [1, 2, 3]
      .map((flip) => `${token.slice(0, -1)}${URL_SAFE[last ^ flip]}`)
      .filter((variant) => verifyJwt(variant, () => KEY, CHECKS).ok);
    expect(accepted).toEqual([]);
  });
});
