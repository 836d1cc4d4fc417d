/**
 * Second-factor challenges for authenticator codes: login step 1 gets an opaque token that
 * names the subject and purpose, step 2 presents it with the code. The token is sealed with
 * AES-256-GCM under the verifier's secret (tamper-proof and unreadable to the client); it
 * expires, and the subject's record refuses challenges issued before its last success or
 * security-stamp change, so each one completes at most once. @internal
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';
import { type Keyring, seal, unseal } from '../secrets';

const PREFIX = 'totp.';
const TAG = 'phoneproof.totp-challenge';

export interface Challenge {
  readonly subject: string;
  readonly purpose: string;
  /** A random id, reported as the verification id. */
  readonly nonce: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** Seals a challenge into its token (`iv`: 12 fresh random bytes). */
export function sealChallenge(ring: Keyring, c: Challenge, iv: Uint8Array): string {
  const body = { t: TAG, s: c.subject, p: c.purpose, n: c.nonce, i: c.issuedAt, e: c.expiresAt };
  return PREFIX + seal(ring, JSON.stringify(body), iv);
}

/** True when `x` looks like a challenge token (not a phone verification id). */
export function isChallengeToken(x: unknown): x is string {
  return typeof x === 'string' && x.startsWith(PREFIX);
}

/** Opens a token: `not_found` when it is not ours or was tampered with, `expired` when late. */
export function openChallenge(
  ring: Keyring,
  token: string,
  now: number,
): Result<Challenge, VerifyError> {
  if (!isChallengeToken(token) || token.length > 2048) return err(verifyError('not_found'));
  const plain = unseal(ring, token.slice(PREFIX.length));
  let b: Record<string, unknown> | undefined;
  try {
    const x: unknown = plain === undefined ? undefined : JSON.parse(plain);
    if (typeof x === 'object' && x !== null) b = x as Record<string, unknown>;
  } catch {
    b = undefined;
  }
  if (
    !b ||
    b.t !== TAG ||
    typeof b.s !== 'string' ||
    typeof b.p !== 'string' ||
    typeof b.n !== 'string' ||
    typeof b.i !== 'number' ||
    typeof b.e !== 'number'
  ) {
    return err(verifyError('not_found'));
  }
  if (b.e <= now)
    return err(
      verifyError('expired', {
        message: 'The second-factor challenge has expired. Sign in again.',
      }),
    );
  return ok({ subject: b.s, purpose: b.p, nonce: b.n, issuedAt: b.i, expiresAt: b.e });
}
