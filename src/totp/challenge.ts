/**
 * Second-factor challenges for authenticator codes: login step 1 gets an opaque token that
 * names the subject and purpose, step 2 presents it with the code. The token is sealed with
 * AES-256-GCM as the `totp-challenge` kind (its own derived key and authenticated data, so no
 * other sealed value, such as a proof's sealed subject, opens as a challenge); it is
 * tamper-proof and unreadable to the client. It expires; its times are bounded by the
 * server's clock and the configured TTL when opened; and the subject's record refuses
 * challenges issued before its last success or security-stamp change, so each one completes
 * at most once. @internal
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';
import { type Keyring, seal, unseal } from '../secrets';

const PREFIX = 'totp.';
const TAG = 'phoneproof.totp-challenge';

/** How far in the future a challenge's issue time may be (clocks of several servers), ms. */
export const CHALLENGE_SKEW_MS = 30_000;

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
  return PREFIX + seal(ring, 'totp-challenge', JSON.stringify(body), iv);
}

/** True when `x` looks like a challenge token (not a phone verification id). */
export function isChallengeToken(x: unknown): x is string {
  return typeof x === 'string' && x.startsWith(PREFIX);
}

/**
 * Opens a token: `not_found` when it is not a challenge we sealed, was tampered with, or its
 * times are not ones this server issues (issued in the future beyond `CHALLENGE_SKEW_MS`, or
 * living longer than `ttlMs`); `expired` when late.
 */
export function openChallenge(
  ring: Keyring,
  token: string,
  now: number,
  ttlMs: number,
): Result<Challenge, VerifyError> {
  if (!isChallengeToken(token) || token.length > 2048) return err(verifyError('not_found'));
  const plain = unseal(ring, 'totp-challenge', token.slice(PREFIX.length));
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
    !Number.isSafeInteger(b.i) ||
    !Number.isSafeInteger(b.e) ||
    (b.i as number) > now + CHALLENGE_SKEW_MS ||
    (b.e as number) <= (b.i as number) ||
    (b.e as number) > (b.i as number) + ttlMs
  ) {
    return err(verifyError('not_found'));
  }
  if ((b.e as number) <= now)
    return err(
      verifyError('expired', {
        message: 'The second-factor challenge has expired. Sign in again.',
      }),
    );
  return ok({
    subject: b.s as string,
    purpose: b.p as string,
    nonce: b.n as string,
    issuedAt: b.i as number,
    expiresAt: b.e as number,
  });
}
