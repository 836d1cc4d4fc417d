/**
 * The per-send delivery record of a verification (like Twilio Verify's `send_code_attempts`):
 * one entry per message sent, updated by delivery reports. Pure functions over an immutable
 * list, meant to run inside the Store's atomic update.
 *
 * Reports may arrive late, twice or out of order; an attempt only moves forward
 * (`queued` < `sent` < `failed` < `delivered`), so applying the same reports in any order
 * gives the same record.
 * @module
 */
import type { Channel, SendOutcome } from '../ports/sender';
import type { DeliveryReport, DeliveryState } from './report';

/** One message sent for a verification. */
export interface SendAttempt {
  /** Provider's message or call id; empty when the send failed before one was given. */
  readonly messageId: string;
  readonly provider?: string;
  readonly channel: Channel;
  /** When it was sent, epoch ms. */
  readonly at: number;
  readonly state: DeliveryState;
  /** When `state` last changed, epoch ms. */
  readonly updatedAt: number;
  /** Why it failed (a delivery reason such as `not_mobile`), when `failed`. */
  readonly reason?: string;
  /** Provider's error code, when `failed` and given. */
  readonly errorCode?: string;
}

/** Attempts kept per verification (the oldest are dropped beyond this). */
export const MAX_ATTEMPTS = 10;

const rank: Readonly<Record<DeliveryState, number>> = {
  queued: 0,
  sent: 1,
  failed: 2,
  delivered: 3,
};

/** The attempt a send produced: `queued` on success, `failed` with its reason otherwise. */
export function attemptOf(channel: Channel, outcome: SendOutcome, at: number): SendAttempt {
  if (outcome.ok) {
    return {
      messageId: outcome.messageId,
      ...(outcome.provider !== undefined ? { provider: outcome.provider } : {}),
      channel,
      at,
      state: 'queued',
      updatedAt: at,
    };
  }
  const e = outcome.error;
  return {
    messageId: '',
    ...(e.provider !== undefined ? { provider: e.provider } : {}),
    channel,
    at,
    state: 'failed',
    updatedAt: at,
    reason: e.reason,
    ...(e.providerCode !== undefined ? { errorCode: String(e.providerCode) } : {}),
  };
}

/** Appends an attempt, keeping at most `max` (newest). */
export function recordAttempt(
  attempts: readonly SendAttempt[],
  attempt: SendAttempt,
  max: number = MAX_ATTEMPTS,
): SendAttempt[] {
  return [...attempts, attempt].slice(-max);
}

/** Index of the attempt a report is about (same message id, and same provider when both say). */
export function findAttempt(attempts: readonly SendAttempt[], report: DeliveryReport): number {
  return attempts.findIndex(
    (a) =>
      a.messageId !== '' &&
      a.messageId === report.messageId &&
      (a.provider === undefined || a.provider === report.provider),
  );
}

export interface ReportApplied {
  readonly attempts: readonly SendAttempt[];
  /** False when the report is unknown here, or not newer than what is recorded. */
  readonly changed: boolean;
  /** The attempt after the report (undefined when the message is not in this list). */
  readonly attempt?: SendAttempt;
}

/** Applies a delivery report; a report that does not move the attempt forward is a no-op. */
export function applyReport(
  attempts: readonly SendAttempt[],
  report: DeliveryReport,
  now: number,
): ReportApplied {
  const i = findAttempt(attempts, report);
  if (i < 0) return { attempts, changed: false };
  const old = attempts[i]!;
  if (rank[report.state] <= rank[old.state]) return { attempts, changed: false, attempt: old };
  const e = report.error;
  const { reason: _r, errorCode: _c, ...rest } = old;
  const updated: SendAttempt = {
    ...rest,
    state: report.state,
    updatedAt: now,
    ...(report.state === 'failed' && e ? { reason: e.reason } : {}),
    ...(report.state === 'failed' && e?.providerCode !== undefined
      ? { errorCode: String(e.providerCode) }
      : {}),
  };
  const next = attempts.slice();
  next[i] = updated;
  return { attempts: next, changed: true, attempt: updated };
}

const states = new Set<string>(Object.keys(rank));

/** True when `x` has the shape of a `SendAttempt` (for decoding stored records). */
export function isSendAttempt(x: unknown): x is SendAttempt {
  if (typeof x !== 'object' || x === null) return false;
  const a = x as Record<string, unknown>;
  return (
    typeof a.messageId === 'string' &&
    (a.channel === 'sms' || a.channel === 'voice') &&
    typeof a.at === 'number' &&
    typeof a.updatedAt === 'number' &&
    typeof a.state === 'string' &&
    states.has(a.state) &&
    (a.provider === undefined || typeof a.provider === 'string') &&
    (a.reason === undefined || typeof a.reason === 'string') &&
    (a.errorCode === undefined || typeof a.errorCode === 'string')
  );
}
