/**
 * What a budget step decides when it reserves room in a record: a refusal (with its error code,
 * scope and when retrying can succeed), how to give the room back, and notices for the shell to
 * publish (budget warnings, pauses). @internal
 * @module
 */
import type { ErrorCode, ErrorScope } from '../errors';
import type { StoreTransition, Transition } from '../ports/store';

/** A refusal decided by an abuse policy. */
export interface AbuseRefusal {
  readonly code: ErrorCode;
  readonly scope: ErrorScope;
  /** Absolute time (ms) at which retrying can succeed; omitted when waiting does not help. */
  readonly retryAt?: number;
}

/** Something an abuse policy observed, for the shell to publish. */
export type AbuseNotice =
  | {
      readonly type: 'budget_warning';
      readonly unit: 'messages' | 'cost';
      readonly used: number;
      readonly limit: number;
    }
  | {
      readonly type: 'paused';
      readonly scope: 'prefix' | 'country';
      readonly until: number;
      readonly sends: number;
      readonly approvals: number;
    };

/** The result of reserving room in one record. */
export interface Reservation {
  readonly refusal?: AbuseRefusal;
  /** Gives the room back when the operation is abandoned before a message leaves. */
  readonly undo?: Transition<void>;
  readonly notices?: readonly AbuseNotice[];
  /**
   * The refusal ranks with the prefix limits, not where its step runs (a merged prefix record
   * decides the conversion guard, which ranks first, and a prefix limit).
   */
  readonly late?: boolean;
}

/** A budget's refusal, retryable at `at` (never, when `at` is not finite); nothing written. */
export const refuse = (
  code: 'rate_limited' | 'budget_exceeded',
  scope: 'requester' | 'prefix' | 'country' | 'global',
  at: number,
): StoreTransition<Reservation> => ({
  result: {
    refusal: Number.isFinite(at) ? { code, scope, retryAt: at } : { code, scope },
  },
});
