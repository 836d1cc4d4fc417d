/**
 * The options every HTTP provider sender takes (`twilioSender`, `vonageSender`,
 * `whatsappCloudSender`): the `fetch` to use, the per-request timeout, retries and the clock.
 * One declaration, extended by each sender's options, and one check of them (`httpCallOf`);
 * and the one check of a sender's URL options (`httpUrlOf`: API origins, callback URLs).
 * @module
 */
import { DEFAULT_TIMEOUT_MS, type FetchLike, type HttpCall } from './http';
import { type RetryOptions, resolveRetry } from './retry';

export interface HttpSenderOptions {
  /** `fetch` to use (default the global one). */
  readonly fetch?: FetchLike;
  /** Per-request timeout, ms (default 10000). */
  readonly timeoutMs?: number;
  /**
   * Retry settings for network, timeout, 5xx, 429 and throttled failures, or `false` for none
   * (default 3 tries).
   */
  readonly retry?: RetryOptions | false;
  /** Clock, epoch ms, for `Retry-After` dates (and Vonage's JWT `iat`; default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Checks the common options and builds the `HttpCall` a sender's requests reuse; `fail`
 * throws the sender's misconfiguration error (at construction).
 */
export function httpCallOf(
  o: HttpSenderOptions,
  provider: string,
  fail: (message: string) => never,
): HttpCall {
  const fetchImpl = o.fetch ?? (globalThis.fetch as FetchLike | undefined);
  if (typeof fetchImpl !== 'function') fail('no fetch available; pass options.fetch.');
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) fail('timeoutMs must be > 0.');
  if (o.retry) resolveRetry(o.retry);
  return { provider, fetch: fetchImpl, timeoutMs, ...(o.now ? { now: o.now } : {}) };
}

/**
 * Checks a URL option (an API origin, a status callback): `url` without trailing slashes when
 * it is an absolute `http:` or `https:` URL; otherwise `fail`s with
 * `<name> must be an http(s) URL.` (at construction).
 */
export function httpUrlOf(url: string, name: string, fail: (message: string) => never): string {
  try {
    const u = new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'https:') return url.replace(/\/+$/, '');
  } catch {
    // fall through
  }
  return fail(`${name} must be an http(s) URL.`);
}
