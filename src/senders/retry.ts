/**
 * `withRetry`: retries a sender's retryable failures (network, timeout, 5xx, 429) with
 * exponential backoff and jitter, honouring the provider's `Retry-After`. Permanent and
 * configuration failures are returned at once. Clock-free: the wait comes from an injected
 * `sleep`, so tests are deterministic.
 *
 * A retried timeout may deliver the message twice (the provider may have accepted the
 * first request); for one-time codes a duplicate text is better than none.
 * @module
 */
import { isRetryable, thrownError } from '../delivery/errors';
import type { DeliveryError, Sender, SendOutcome } from '../ports/sender';

export interface RetryOptions {
  /** Tries in all, the first included (default 3; 1 disables retrying). */
  readonly attempts?: number;
  /** Delay before the first retry, ms (default 250). */
  readonly baseDelayMs?: number;
  /** Longest computed delay, ms (default 4000). */
  readonly maxDelayMs?: number;
  /** Growth per retry (default 2). */
  readonly factor?: number;
  /**
   * Longest `Retry-After` honoured, ms (default 10000). A provider asking for longer gets its
   * error returned instead (the failover chain can move on).
   */
  readonly maxRetryAfterMs?: number;
  /** Waits `ms` (default `setTimeout`). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform random in [0, 1) for jitter (default `Math.random`). */
  readonly random?: () => number;
  /** Which failures to retry (default: `network`, `timeout`, `server_error`, `throttled`). */
  readonly retryOn?: (error: DeliveryError) => boolean;
}

export interface ResolvedRetry {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  readonly maxRetryAfterMs: number;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Validates and fills defaults; throws on misconfiguration. */
export function resolveRetry(o: RetryOptions = {}): ResolvedRetry {
  const r = {
    attempts: o.attempts ?? 3,
    baseDelayMs: o.baseDelayMs ?? 250,
    maxDelayMs: o.maxDelayMs ?? 4000,
    factor: o.factor ?? 2,
    maxRetryAfterMs: o.maxRetryAfterMs ?? 10_000,
  };
  if (!Number.isInteger(r.attempts) || r.attempts < 1 || r.attempts > 10) {
    throw new TypeError('phoneproof: retry.attempts must be a whole number from 1 to 10.');
  }
  for (const k of ['baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    if (!Number.isFinite(r[k]) || r[k] < 0) {
      throw new TypeError(`phoneproof: retry.${k} must be a non-negative number.`);
    }
  }
  if (!Number.isFinite(r.factor) || r.factor < 1) {
    throw new TypeError('phoneproof: retry.factor must be at least 1.');
  }
  return r;
}

/**
 * Delay before retry number `retry` (1 = the first retry): the provider's `Retry-After`
 * when given (or `undefined` when it exceeds `maxRetryAfterMs`: do not retry), else
 * "equal jitter" backoff: half the exponential delay plus a random part of the other half.
 */
export function backoffDelay(
  retry: number,
  error: DeliveryError,
  r: ResolvedRetry,
  random: () => number,
): number | undefined {
  if (error.retryAfterMs !== undefined) {
    return error.retryAfterMs <= r.maxRetryAfterMs ? error.retryAfterMs : undefined;
  }
  const exp = Math.min(r.maxDelayMs, r.baseDelayMs * r.factor ** (retry - 1));
  return exp / 2 + random() * (exp / 2);
}

/** Sends once, turning a rejection into a typed failure. */
export async function sendSafely(sender: Sender, message: Parameters<Sender['send']>[0]) {
  try {
    return await sender.send(message);
  } catch (e) {
    return { ok: false, error: thrownError(e) } satisfies SendOutcome;
  }
}

/** Wraps `sender` so retryable failures are tried again with backoff. */
export function withRetry<S extends Sender>(sender: S, options: RetryOptions = {}): S {
  const r = resolveRetry(options);
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const retryOn = options.retryOn ?? isRetryable;
  const send: Sender['send'] = async (message) => {
    let outcome = await sendSafely(sender, message);
    for (let retry = 1; retry < r.attempts && !outcome.ok && retryOn(outcome.error); retry += 1) {
      const delay = backoffDelay(retry, outcome.error, r, random);
      if (delay === undefined) break;
      await sleep(delay);
      outcome = await sendSafely(sender, message);
    }
    return outcome;
  };
  return { ...sender, send };
}
