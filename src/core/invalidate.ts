/**
 * Pure decision for a security-stamp change (a phone change, a password reset): every
 * pending verification of the phone is closed as `canceled`. Unlike a cancel after wrong
 * codes, the invalidation itself never counts as a failed verification, so it can neither
 * lock the phone nor move it toward a lock. Time still applies first (`settle`): a
 * verification that had already expired is closed as `expired`, with its usual effect.
 * @module
 */
import { ok } from 'neverthrow';
import { editState, editVerification } from './copy';
import type { Policy } from './policy';
import type { Step } from './refusal';
import { settle } from './settle';
import type { PhoneState, VerificationState } from './state';

/** Closes every pending verification; the decision lists the ids it closed. */
export function invalidateTransition(
  state: PhoneState,
  now: number,
  policy: Policy,
): Step<readonly string[]> {
  const d = settle(state, now, policy);
  const pending = d.state.verifications.filter((v) => v.status === 'pending');
  if (pending.length > 0) {
    const ids = new Set(pending.map((v) => v.id));
    const close = (v: VerificationState): VerificationState =>
      ids.has(v.id)
        ? editVerification(v, (m) => {
            m.status = 'canceled';
            m.closedAt = now;
          })
        : v;
    const verifications = d.state.verifications.map(close);
    d.state = editState(d.state, (m) => {
      m.verifications = verifications;
    });
    for (const v of pending) d.events.push({ type: 'verification.canceled', id: v.id, at: now });
  }
  return {
    state: d.state,
    changed: d.state !== state,
    decision: ok(pending.map((v) => v.id)),
    events: d.events,
  };
}
