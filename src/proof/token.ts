/**
 * Proof tokens: compact JWS (HS256; signed with node:crypto, verified with `jose`) under a
 * key derived from the verifier's secret (`subkey(secret, 'proof')`). New proofs are signed
 * with the current secret; the `kid` header names the derived key, so verification accepts
 * any secret of the ring (rotation) without trying each. Pure computation, no I/O. @internal
 * @module
 */
import { createHmac, webcrypto } from 'node:crypto';
import { jwtVerify } from 'jose';
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
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
  /** The raw HMAC key, for signing with node:crypto. */
  readonly raw: Buffer;
  /** The HMAC key, imported into WebCrypto once on first use (jose would import it per call). */
  key(): Promise<webcrypto.CryptoKey>;
}

/** The signing keys of a ring, current first. */
export function proofKeys(ring: Keyring): SigningKey[] {
  return ring.all.map((secret) => {
    const raw = subkey(secret, 'proof');
    let imported: Promise<webcrypto.CryptoKey> | undefined;
    return {
      kid: hmac(raw, 'kid').slice(0, 16),
      raw,
      key: () => {
        imported ??= webcrypto.subtle.importKey(
          'raw',
          new Uint8Array(raw),
          { name: 'HMAC', hash: 'SHA-256' },
          false,
          ['sign', 'verify'],
        );
        return imported;
      },
    };
  });
}

const b64url = (json: unknown) => Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');

/**
 * Signs a proof issued at `now` with the first key: a compact JWS (RFC 7515) with HS256,
 * built here with node:crypto's synchronous HMAC (jose signs through WebCrypto's async HMAC,
 * about 40 times slower, on every approval). `readProof` verifies with jose.
 */
export function signProof(
  keys: readonly SigningKey[],
  config: ProofConfig,
  claims: Omit<ProofClaims, 'sub'>,
  id: WireIdentity,
  jti: string,
  now: number,
): ResultAsync<string, VerifyError> {
  const signing = keys[0]!;
  const header = { alg: 'HS256', typ: PROOF_TYP, kid: signing.kid };
  const payload = {
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
    ...(config.audience !== undefined ? { aud: config.audience } : {}),
  };
  try {
    const input = `${b64url(header)}.${b64url(payload)}`;
    const signature = createHmac('sha256', signing.raw).update(input).digest('base64url');
    return okAsync(`${input}.${signature}`);
  } catch (e) {
    return errAsync(
      verifyError('proof_invalid', { message: 'The proof could not be signed.', cause: e }),
    );
  }
}

function mapJoseError(e: unknown): VerifyError {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ERR_JWT_EXPIRED') return verifyError('proof_expired', { cause: e });
  return verifyError('proof_invalid', { cause: e });
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
  return ResultAsync.fromThrowable(
    () =>
      jwtVerify(
        token,
        (header) => {
          const k = keys.find((x) => x.kid === header.kid);
          if (!k) throw new Error('unknown kid');
          return k.key();
        },
        {
          algorithms: ['HS256'],
          typ: PROOF_TYP,
          issuer: config.issuer,
          ...(config.audience !== undefined
            ? { audience: config.audience as string | string[] }
            : {}),
          currentDate: new Date(now),
          requiredClaims: ['sub', 'jti', 'iat', 'exp'],
        },
      ),
    mapJoseError,
  )().andThen((r) => payloadOf(r.payload as Record<string, unknown>));
}
