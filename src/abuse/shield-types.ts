/**
 * The abuse shield's interface: what one send tells it (`SendCall`) and what it offers the
 * abuse hooks (`Shield`). @internal
 * @module
 */
import type { ResultAsync } from 'neverthrow';
import type { VerifyError } from '../errors';
import type { RequestContext } from '../feature/operation-types';
import type { Requester } from '../feature/requester';
import type { Channel } from '../ports/sender';
import type { SplitNumber } from './keys';
import type { Release } from './shield-run';

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

export interface Shield {
  /** False when every defense is off: the wrappers then add nothing. */
  readonly active: boolean;
  /** Whether a resend's budgets need the number (prefix, country); requester budgets do not. */
  readonly resendNeedsNumber: boolean;
  beforeSend(call: SendCall): ResultAsync<Release, VerifyError>;
  /** Spends the requester check budgets of the requester; `undefined` when none applies. */
  beforeCheck(
    requester: Requester,
    context: RequestContext | undefined,
    at: number,
    silent: boolean,
  ): ResultAsync<void, VerifyError> | undefined;
  /**
   * Records an approval (conversion guard, prefix velocity) without waiting for the store:
   * store failures are ignored (they only lose that bookkeeping). `split` is the number
   * already split (saves a parse); it is split here when omitted.
   */
  approved(phoneKey: string, phone: string, at: number, split?: SplitNumber): void;
}
