/**
 * The abuse shield's interface: what one send tells it (`SendCall`) and what it offers the
 * abuse hooks (`Shield`). @internal
 * @module
 */
import type { Result } from 'neverthrow';
import type { VerifyError } from '../errors';
import type { RequestContext } from '../feature/operation-types';
import type { Requester } from '../feature/requester';
import type { Channel } from '../ports/sender';
import type { Store } from '../ports/store';
import type { SplitNumber } from './keys';
import type { BudgetRecords, Step } from './shield-run';

/** One message about to be allowed. */
export interface SendCall {
  readonly kind: 'start' | 'resend';
  readonly phoneKey: string;
  /** E.164; always known on start, on resend only when a budget needs it. */
  readonly phone?: string;
  readonly country?: string;
  /** Country calling code when already known (saves a parse). */
  readonly callingCode?: string;
  readonly channel?: Channel;
  /** Masked number, for events. */
  readonly to?: string;
  readonly context: RequestContext | undefined;
  /** Who calls (derived once by the operation). */
  readonly requester: Requester;
  readonly silent: boolean;
  readonly at: number;
}

/** A check as the shield sees it. */
export interface CheckCall {
  readonly requester: Requester;
  readonly phoneKey: string;
  /** The number split, when the check names it (else the start's, if this process made it). */
  readonly split: SplitNumber | undefined;
  readonly at: number;
  readonly context: RequestContext | undefined;
  readonly silent: boolean;
}

/** A send's budgets: the steps and their share of the operation's one write. */
export interface SendBudgets {
  readonly steps: readonly Step[];
  readonly records: BudgetRecords;
}

export interface Shield {
  /** False when every defense is off: the hooks then add nothing. */
  readonly active: boolean;
  /** Whether a resend's budgets need the number (prefix, country); requester budgets do not. */
  readonly resendNeedsNumber: boolean;
  /** The store (for the second writes: a give-back, an approval the check could not hold). */
  readonly store: Store;
  /**
   * A send's budgets, to be written with the operation (`undefined`: none applies), or the
   * refusal decided without a record (a denied country, a number type).
   */
  beforeSend(call: SendCall): Result<SendBudgets | undefined, VerifyError>;
  /**
   * A check's share of its write: the requester check budgets, and the approval bookkeeping
   * (`folded`) when the number is known (named by the check, or started by this process).
   * `undefined` when nothing applies.
   */
  beforeCheck(
    call: CheckCall,
  ): { readonly records: BudgetRecords; readonly folded: boolean } | undefined;
  /**
   * Records an approval (conversion guard, prefix velocity) in its own write, without
   * waiting for the store (a check that could not fold it): store failures are ignored
   * (they only lose that bookkeeping). `split` is the number already split.
   */
  approved(phoneKey: string, phone: string, at: number, split?: SplitNumber): void;
}
