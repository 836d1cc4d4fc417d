/**
 * The application JWT the Vonage Voice API takes as a Bearer token: RS256 over
 * `{ application_id, iat, exp, jti }`, signed with the application's private key. Uses
 * `node:crypto` only. @internal
 * @module
 */
import { createPrivateKey, createSign, type KeyObject, randomUUID } from 'node:crypto';

/** Parses a PEM private key; throws (misconfiguration) when it is not an RSA private key. */
export function rsaPrivateKey(pem: string | Buffer): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new TypeError('phoneproof/vonage: voice.privateKey is not a PEM private key.');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new TypeError('phoneproof/vonage: voice.privateKey must be an RSA key (RS256).');
  }
  return key;
}

const b64url = (x: string | Buffer) => Buffer.from(x).toString('base64url');

export interface JwtClaims {
  readonly applicationId: string;
  /** Issued-at, epoch seconds. */
  readonly iat: number;
  /** Lifetime, seconds. */
  readonly ttlSeconds: number;
  /** Unique token id (default a random UUID). */
  readonly jti?: string;
}

/** Signs a Vonage application JWT. */
export function vonageJwt(key: KeyObject, claims: JwtClaims): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = b64url(
    JSON.stringify({
      application_id: claims.applicationId,
      iat: claims.iat,
      exp: claims.iat + claims.ttlSeconds,
      jti: claims.jti ?? randomUUID(),
    }),
  );
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(key);
  return `${header}.${payload}.${b64url(signature)}`;
}
