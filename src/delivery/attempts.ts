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
import { type Channel, isChannel, type SendOutcome } from '../ports/sender';
import type { DeliveryReport, DeliveryState } from './report';

/** One message sent for a verification. */
export interface SendAttempt {
  /**
   * Provider's message or call id. Empty when the send failed before one was given, and for
   * an attempt recorded before its message left (see `ref`) until a delivery report names it.
   */
  readonly messageId: string;
  /**
   * This send's tag: the part of its correlation reference after the record's 32 characters
   * (`deliveryRef(message)`). The verifier records a send's attempt together with its
   * decision, before the message leaves, so its provider id is not known yet; a report whose
   * reference carries the tag finds the attempt and fills in `messageId` and `provider`.
   * Absent on attempts recorded by earlier versions (they are found by `messageId`).
   */
  readonly ref?: string;
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

/**
 * The attempt a send produced: `queued` on success, `failed` with its reason otherwise.
 * `ref` is the send's tag (see `SendAttempt.ref`), when it has one.
 */
export function attemptOf(
  channel: Channel,
  outcome: SendOutcome,
  at: number,
  ref?: string,
): SendAttempt {
  const tag = ref !== undefined ? { ref } : {};
  if (outcome.ok) {
    return {
      messageId: outcome.messageId,
      ...tag,
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
    ...tag,
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

/**
 * An attempt recorded before its message left: `queued`, no provider id yet, a tag to be
 * found by. The verifier writes it with the send's decision (one store write per send).
 */
export function pendingAttempt(channel: Channel, at: number, ref: string): SendAttempt {
  return { messageId: '', ref, channel, at, state: 'queued', updatedAt: at };
}

/** The tag a report's reference carries after the record's 32 characters, if any. @internal */
export function reportTag(report: DeliveryReport): string | undefined {
  const r = report.ref;
  return r !== undefined && r.length > 32 ? r.slice(32) : undefined;
}

/**
 * Index of the attempt a report is about: when the report's reference carries a tag, the
 * newest attempt with that tag (see `SendAttempt.ref`) and nothing else: a tag that names no
 * send is -1 (`not_found`), whatever message id the report claims, so a forged report cannot
 * reach an attempt through its message id once a real report named it. A report without a
 * tag (senders of earlier versions) is matched by message id (and the same provider when
 * both say). A tag may name several provider messages (a send retried after a timeout, a
 * long SMS in parts); see `applyReport` for how they fold into one attempt.
 */
export function findAttempt(attempts: readonly SendAttempt[], report: DeliveryReport): number {
  const tag = reportTag(report);
  if (tag !== undefined) {
    for (let i = attempts.length - 1; i >= 0; i -= 1) {
      const a = attempts[i]!;
      if (a.ref === tag && a.channel === report.channel) return i;
    }
    return -1;
  }
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

/**
 * Whether `report` should replace what `a` records: a later state, or the same state under a
 * smaller message id, or no id yet. So when one tag names several provider messages, the
 * attempt shows the furthest report, and among those the smallest id, in whatever order they
 * arrived.
 */
function supersedes(report: DeliveryReport, a: SendAttempt): boolean {
  const d = rank[report.state] - rank[a.state];
  return d > 0 || (d === 0 && (a.messageId === '' || report.messageId < a.messageId));
}

/**
 * Applies a delivery report. The attempt takes the report's state, message id, provider and
 * failure reason when the report supersedes what it records; a report for an attempt with no
 * id yet at an earlier state than recorded (the verifier wrote the send as failed, yet the
 * provider sent it) only names it. Otherwise nothing changes: an attempt only moves forward
 * (`queued` < `sent` < `failed` < `delivered`), and the same reports in any order give the
 * same attempt (but `updatedAt`; and, for an attempt the verifier wrote as failed whose
 * provider reports several messages, the id of whichever named it first).
 */
export function applyReport(
  attempts: readonly SendAttempt[],
  report: DeliveryReport,
  now: number,
): ReportApplied {
  const i = findAttempt(attempts, report);
  if (i < 0) return { attempts, changed: false };
  const old = attempts[i]!;
  let updated: SendAttempt;
  if (supersedes(report, old)) {
    const e = report.error;
    const { reason: _r, errorCode: _c, provider: _p, ...rest } = old;
    const later = rank[report.state] > rank[old.state];
    updated = {
      ...rest,
      messageId: report.messageId,
      provider: report.provider,
      state: report.state,
      updatedAt: later ? now : old.updatedAt,
      ...(report.state === 'failed' && e ? { reason: e.reason } : {}),
      ...(report.state === 'failed' && e?.providerCode !== undefined
        ? { errorCode: String(e.providerCode) }
        : {}),
    };
  } else if (old.messageId === '') {
    updated = Object.assign({}, old, { messageId: report.messageId, provider: report.provider });
  } else {
    return { attempts, changed: false, attempt: old };
  }
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
    (a.ref === undefined || typeof a.ref === 'string') &&
    isChannel(a.channel) &&
    typeof a.at === 'number' &&
    typeof a.updatedAt === 'number' &&
    typeof a.state === 'string' &&
    states.has(a.state) &&
    (a.provider === undefined || typeof a.provider === 'string') &&
    (a.reason === undefined || typeof a.reason === 'string') &&
    (a.errorCode === undefined || typeof a.errorCode === 'string')
  );
}
