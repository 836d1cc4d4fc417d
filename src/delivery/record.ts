/**
 * Send attempts kept on verifications: pure updates of a phone record's verification list,
 * for the verifier to run inside the Store's atomic update. Generic over the verification
 * type, so they work on the core's `VerificationState` once it carries `attempts`.
 * @module
 */
import { applyReport, MAX_ATTEMPTS, recordAttempt, reportTag, type SendAttempt } from './attempts';
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
 * `attempt`, its outcome; appends `attempt` when no attempt has that tag.
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
  const j = v?.attempts?.findIndex((a) => a.ref === ref) ?? -1;
  if (!v || j < 0) return recordSend(verifications, id, attempt, patch);
  const attempts = v.attempts!.slice();
  attempts[j] = attempt;
  const next = verifications.slice();
  next[i] = Object.assign({}, v, patch, { attempts });
  return { verifications: next, changed: true, id, attempt };
}

/** Applies `report` to verification `i`'s attempts; undefined when none of them is its. */
function applyAt<V extends WithAttempts>(
  verifications: readonly V[],
  i: number,
  report: DeliveryReport,
  now: number,
): RecordResult<V> | undefined {
  const v = verifications[i]!;
  const applied = applyReport(v.attempts ?? [], report, now);
  if (applied.attempt === undefined) return undefined;
  if (!applied.changed)
    return { verifications, changed: false, id: v.id, attempt: applied.attempt };
  const next = verifications.slice();
  next[i] = { ...v, attempts: applied.attempts };
  return { verifications: next, changed: true, id: v.id, attempt: applied.attempt };
}

/**
 * Applies a delivery report to whichever verification sent that message: the attempt its
 * reference's tag names, or the one with its message id. A report whose reference has no
 * tag (a sender that attached `deliveryRef(verificationId)`, the record part only) and whose
 * message id is not recorded goes to the newest attempt on its channel whose id is not known
 * yet: an approximation, exact only with one such attempt in the record.
 */
export function recordReport<V extends WithAttempts>(
  verifications: readonly V[],
  report: DeliveryReport,
  now: number,
): RecordResult<V> {
  for (let i = 0; i < verifications.length; i += 1) {
    const r = applyAt(verifications, i, report, now);
    if (r) return r;
  }
  if (reportTag(report) !== undefined) return { verifications, changed: false };
  let newest: { i: number; ref: string; at: number } | undefined;
  verifications.forEach((v, i) => {
    for (const a of v.attempts ?? []) {
      if (
        a.messageId === '' &&
        a.ref !== undefined &&
        a.state !== 'failed' &&
        a.channel === report.channel &&
        (newest === undefined || a.at >= newest.at)
      ) {
        newest = { i, ref: a.ref, at: a.at };
      }
    }
  });
  if (newest === undefined) return { verifications, changed: false };
  const tagged = {
    ...report,
    ref: `${(report.ref ?? '').slice(0, 32).padEnd(32, '-')}${newest.ref}`,
  };
  return applyAt(verifications, newest.i, tagged, now) ?? { verifications, changed: false };
}
