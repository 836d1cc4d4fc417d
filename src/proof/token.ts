/**
 * Proof tokens: compact JWS (HS256, signed and verified by ../crypto/jws.ts) under a
 * key derived from the verifier's secret (`subkey(secret, 'proof')`). New proofs are signed
 * with the current secret; the `kid` header names the derived key, so verification accepts
 * any secret of the ring (rotation) without trying each. Pure computation, no I/O. @internal
 * @module
 */
import { err, errAsync, ok, okAsync, type Result, type ResultAsync } from 'neverthrow';
import { jwsSigner, verifyJwt } from '../crypto/jws';
import { type VerifyError, verifyError } from '../errors';
import { hmac, type Keyring, subkey } from '../secrets';
import type { ProofKind, ProofMethod } from './types';

/** The JWS `typ` header: keeps proofs from being confused with other tokens. */
export const PROOF_TYP = 'phoneproof-proof+jwt';

export interface ProofConfig {
  readonly ttlMs: number;
  readonly singleUse: boolean;
  readonly issuer: string;
  readonly audience: string | readonly string[] | undefined;
}

/** What a proof binds. */
export interface ProofClaims {
  readonly kind: ProofKind;
  /** E.164 for `phone`, the subject otherwise (in process; never in clear on the wire). */
  readonly sub: string;
  readonly purpose: string;
  readonly verificationId: string;
  readonly method: ProofMethod;
  readonly verifiedAt: number;
}

/**
 * How the identifier travels: `sub` is the identifier sealed as `proof-identity` (AES-256-GCM
 * under its own derived key) with a fresh IV per token, so a token shows neither the number
 * nor the subject, and two tokens of one phone or subject share nothing.
 */
export interface WireIdentity {
  readonly sealed: string;
}

/** A verified token's claims (before purpose, binding, stamp and single-use checks). */
export interface ProofPayload extends Omit<ProofClaims, 'sub'>, WireIdentity {
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

interface SigningKey {
  readonly kid: string;
  /** The HMAC-SHA256 key. */
  readonly raw: Uint8Array;
  /** Signs a claims set under `raw` (header `typ` and `kid`, encoded once per key). */
  readonly sign: (payload: Record<string, unknown>) => string;
}

/** The signing keys of a ring, current first. */
export function proofKeys(ring: Keyring): SigningKey[] {
  return ring.all.map((secret) => {
    const raw = subkey(secret, 'proof');
    const kid = hmac(raw, 'kid').slice(0, 16);
    return { kid, raw, sign: jwsSigner(raw, { typ: PROOF_TYP, kid }) };
  });
}

/**
 * Signs a proof issued at `now` with the first key: a compact JWS (RFC 7515) with HS256,
 * through the synchronous HMAC of ../crypto (WebCrypto's async HMAC is about 40 times
 * slower, on every approval). Synchronous: an approval awaits nothing for its proof.
 */
export function signProof(
  keys: readonly SigningKey[],
  config: ProofConfig,
  claims: Omit<ProofClaims, 'sub'>,
  id: WireIdentity,
  jti: string,
  now: number,
): Result<string, VerifyError> {
  const payload: Record<string, unknown> = {
    sty: claims.kind,
    pur: claims.purpose,
    vid: claims.verificationId,
    mth: claims.method,
    vat: claims.verifiedAt,
    iss: config.issuer,
    sub: id.sealed,
    jti,
    iat: Math.floor(now / 1000),
    exp: Math.floor((now + config.ttlMs) / 1000),
  };
  if (config.audience !== undefined) payload.aud = config.audience;
  try {
    return ok(keys[0]!.sign(payload));
  } catch (e) {
    return err(
      verifyError('proof_invalid', { message: 'The proof could not be signed.', cause: e }),
    );
  }
}

function payloadOf(p: Record<string, unknown>): Result<ProofPayload, VerifyError> {
  const { sub, sty, pur, vid, mth, vat, jti, iat, exp } = p;
  if (
    typeof sub !== 'string' ||
    (sty !== 'phone' && sty !== 'subject') ||
    typeof pur !== 'string' ||
    typeof vid !== 'string' ||
    (mth !== 'phone' && mth !== 'totp' && mth !== 'recovery') ||
    typeof vat !== 'number' ||
    typeof jti !== 'string' ||
    typeof iat !== 'number' ||
    typeof exp !== 'number'
  ) {
    return err(verifyError('proof_invalid', { message: 'The proof token lacks required claims.' }));
  }
  return ok({
    kind: sty,
    sealed: sub,
    purpose: pur,
    verificationId: vid,
    method: mth,
    verifiedAt: vat,
    jti,
    iat,
    exp,
  });
}

/** Checks signature (any key of the ring), `typ`, issuer, audience and expiry at `now`. */
export function readProof(
  keys: readonly SigningKey[],
  config: ProofConfig,
  token: string,
  now: number,
): ResultAsync<ProofPayload, VerifyError> {
  const r = verifyJwt(token, (header) => keys.find((x) => x.kid === header.kid)?.raw, {
    typ: PROOF_TYP,
    issuer: config.issuer,
    audience: config.audience,
    requiredClaims: ['sub', 'jti', 'iat', 'exp'],
    now,
  });
  if (!r.ok) {
    const code = r.reason === 'expired' ? 'proof_expired' : 'proof_invalid';
    return errAsync(verifyError(code, { cause: new Error(r.message) }));
  }
  return payloadOf(r.payload).asyncAndThen((p) => okAsync(p));
}
