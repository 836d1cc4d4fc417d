/**
 * The bounds of the decision clock that features need to size what they write
 * (`src/verifier/clock.ts` estimates the clock itself).
 * @module
 */

/** The largest uncertainty (ms) a decision may carry; also the padding of single-use markers. */
export const CLOCK_BOUND_MS = 1_000;

/**
 * How long a used-marker outlives the token it guards beyond `exp − now`: both the
 * consuming and a later verifying instance may be off the store's clock by the bound.
 */
export const MARKER_PADDING_MS = 2 * CLOCK_BOUND_MS + 1_000;
