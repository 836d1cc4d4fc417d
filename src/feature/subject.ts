/**
 * Subjects: the application's identifier for an account (a user id, an email). They may be
 * personal data, so store keys hold only an HMAC of them. @internal
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';
import { hmac, type Keyring } from '../secrets';

/** Longest subject accepted, in characters. */
export const MAX_SUBJECT_LENGTH = 256;

/** Validates a subject from an untrusted caller. */
export function subjectOf(x: unknown): Result<string, VerifyError> {
  if (typeof x === 'string' && x.length > 0 && x.length <= MAX_SUBJECT_LENGTH) return ok(x);
  return err(
    verifyError('invalid_request', {
      message: `\`subject\` must be a string of 1-${MAX_SUBJECT_LENGTH} characters.`,
    }),
  );
}

/** The store-key fragment for a subject: never the subject itself. */
export function subjectKey(ring: Keyring, subject: string): string {
  return hmac(ring.lookup, 'subject', subject).slice(0, 32);
}
