/**
 * What a transition returns: the next state, whether it changed, the decision and events.
 * @internal
 * @module
 */
import type { Result } from 'neverthrow';
import type { ErrorCode } from '../errors';
import type { CoreEvent } from './settle';
import type { PhoneState } from './state';

/** A refusal decided by the core: a catalog code plus the numbers that explain it. */
export interface Refusal {
  readonly code: ErrorCode;
  /** Absolute time (ms) at which retrying can succeed. */
  readonly retryAt?: number;
  readonly attemptsLeft?: number;
}

export interface Step<T> {
  /** The next state (the input state object itself when nothing changed). */
  readonly state: PhoneState;
  readonly changed: boolean;
  readonly decision: Result<T, Refusal>;
  readonly events: readonly CoreEvent[];
}
