/**
 * Failures as values, shared by the operations and the features: a core refusal, a store
 * failure and a send outcome, each mapped to the one error catalog (`src/errors.ts`).
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import type { Refusal } from '../core/refusal';
import { CorruptRecordError } from '../core/state';
import { secondsUntil, type VerifyError, verifyError } from '../errors';
import type { SendOutcome } from '../ports/sender';
import { isStoreSchemaError } from '../ports/store-schema';

/** Maps a core refusal to a catalog error with seconds to wait. */
export function refusalError(r: Refusal, now: number): VerifyError {
  return verifyError(r.code, {
    ...(r.retryAt !== undefined ? { retryAfter: secondsUntil(r.retryAt, now) } : {}),
    ...(r.attemptsLeft !== undefined ? { attemptsLeft: r.attemptsLeft } : {}),
    ...(phoneScoped.has(r.code) ? { scope: 'phone' as const } : {}),
  });
}

/** Core refusals that are limits on one phone (`VerifyError.scope: 'phone'`). */
const phoneScoped = new Set<string>([
  'locked',
  'send_limit_reached',
  'resend_too_soon',
  'max_attempts_reached',
]);

/** A store failure as a value: corrupt records are told apart from an unreachable store. */
export function storeError(e: unknown): VerifyError {
  if (e instanceof CorruptRecordError) {
    return verifyError('store_corrupt', {
      message: `${verifyError('store_corrupt').message} ${e.message}.`,
      cause: e,
    });
  }
  if (isStoreSchemaError(e)) {
    // Not an outage: the tables are missing. The message (for logs; HTTP answers send the
    // catalog's) names the fix.
    return verifyError('store_unavailable', {
      message: `The verification store is not set up: ${e.message}`,
      cause: e,
    });
  }
  return verifyError('store_unavailable', { cause: e });
}

/** A send outcome as the operation's result: the message id, or the catalog error. */
export function outcomeResult(outcome: SendOutcome): Result<string, VerifyError> {
  if (outcome.ok) return ok(outcome.messageId);
  // The consent feature re-reads the ledger right before delivery; an opt-out that
  // landed meanwhile stops the message and is reported as what it is.
  if (outcome.error.reason === 'opted_out') {
    return err(verifyError('opted_out', { cause: outcome.error }));
  }
  return err(
    verifyError('delivery_failed', { message: outcome.error.message, cause: outcome.error }),
  );
}
