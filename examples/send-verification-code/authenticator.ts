/**
 * `VerificationType` 3: the authenticator app, with the enrollment that the reference's
 * `VerifiedUserObj.AuthenticatorKey` and `TotpSid` stand for. Without `Code`: an enrolled user
 * is asked for the app's code; a user not yet enrolled gets a new key, but only within ten
 * minutes after proving their own MFA phone on file with a code (_safer_: the endpoint has
 * no other authentication, and a key handed to anyone who names a `UserId` would let them
 * enroll their own app for that user). With `Code`: the first code
 * after enrollment confirms it (recovery codes are answered once); later codes are verified.
 * @module
 */
import type { Verifier, VerifyError } from '../../src/index';
import { verifyError } from '../../src/index';
import { type Lock, noLock, type VerificationRequest } from './dto';

/** How long a phone verification opens enrollment for its user. */
export const ENROLL_WINDOW_MS = 10 * 60_000;
const PURPOSE = 'lead';

export type AuthenticatorOutcome =
  | {
      readonly ok: true;
      readonly status: 'pending' | 'enrollment_pending' | 'approved';
      readonly text: string;
      readonly lock: Lock;
      readonly extra?: Readonly<Record<string, unknown>>;
    }
  | { readonly ok: false; readonly error: VerifyError; readonly lock: Lock };

export interface AuthenticatorStep {
  /** `userId` proved their MFA phone with a code: enrollment is open to them for a while. */
  phoneVerified(userId: string): void;
  handle(r: VerificationRequest, code: string): Promise<AuthenticatorOutcome>;
}

export function authenticatorStep(verifier: Verifier, now: () => number): AuthenticatorStep {
  // One process only: a real deployment keeps this with the user's session.
  const grants = new Map<string, number>();

  const lockOf = async (subject: string): Promise<Lock> => {
    const st = await verifier.totp.status({ subject });
    return st.isOk() ? { ...st.value, attemptsLeft: null } : noLock;
  };
  const refused = async (subject: string, error: VerifyError): Promise<AuthenticatorOutcome> => ({
    ok: false,
    error,
    lock: await lockOf(subject),
  });

  async function enroll(userId: string, subject: string): Promise<AuthenticatorOutcome> {
    const until = grants.get(userId);
    if (until === undefined || until <= now()) {
      const message =
        'Verify the phone with a code first; then an authenticator app can be enrolled.';
      return refused(subject, verifyError('forbidden', { message }));
    }
    const enrolled = await verifier.totp.enroll({ subject });
    if (enrolled.isErr()) return refused(subject, enrolled.error);
    grants.delete(userId);
    const { secret, uri } = enrolled.value;
    return {
      ok: true,
      status: 'enrollment_pending',
      text: 'Add the key to your authenticator app, then send the code it shows.',
      lock: noLock,
      extra: {
        VerifiedUserObj: { AuthenticatorKey: secret, AuthenticatorUri: uri, TotpSid: subject },
      },
    };
  }

  async function handle(r: VerificationRequest, code: string): Promise<AuthenticatorOutcome> {
    if (r.UserId === undefined) {
      const message = 'UserId is required for the authenticator app.';
      return { ok: false, error: verifyError('invalid_request', { message }), lock: noLock };
    }
    const userId = String(r.UserId);
    const subject = `user-${userId}`;
    const st = await verifier.totp.status({ subject });
    if (st.isErr()) return refused(subject, st.error);
    const state = st.value.status;
    if (code === '') {
      if (state !== 'active') return enroll(userId, subject);
      const text = 'Enter the code shown by your authenticator app.';
      return { ok: true, status: 'pending', text, lock: await lockOf(subject) };
    }
    if (state === 'pending') {
      const confirmed = await verifier.totp.confirm({ subject, token: code });
      if (confirmed.isErr()) return refused(subject, confirmed.error);
      const text = 'The authenticator app is enrolled.';
      const extra = { RecoveryCodes: confirmed.value.recoveryCodes };
      return { ok: true, status: 'approved', text, lock: await lockOf(subject), extra };
    }
    const verified = await verifier.totp.verify({ subject, token: code, purpose: PURPOSE });
    if (verified.isErr()) return refused(subject, verified.error);
    return {
      ok: true,
      status: 'approved',
      text: 'The code is correct.',
      lock: await lockOf(subject),
    };
  }

  return {
    phoneVerified: (userId) => void grants.set(userId, now() + ENROLL_WINDOW_MS),
    handle,
  };
}
