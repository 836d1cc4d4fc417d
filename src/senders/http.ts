/**
 * The HTTP call every provider adapter makes: `fetch` with a timeout that covers the whole
 * exchange (headers and body), network failures and timeouts turned into typed delivery
 * errors, and `Retry-After` read. Uses only the platform `fetch` (or one passed in). @internal
 * @module
 */

import { deliveryError } from '../delivery/errors';
import type { DeliveryError, SendOutcome } from '../ports/sender';

/** The `fetch` signature adapters accept (the global one, undici's, or a test double). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpCall {
  readonly provider: string;
  readonly fetch: FetchLike;
  /** Milliseconds before the call is abandoned. */
  readonly timeoutMs: number;
  /** Clock for HTTP-date `Retry-After` values (default `Date.now`). */
  readonly now?: () => number;
}

/** A completed exchange: status, headers and the body text. */
export interface HttpReply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly json: unknown;
  /** `Retry-After` in milliseconds, when the reply carried one. */
  readonly retryAfterMs?: number;
}

export type HttpResult =
  | { readonly ok: true; readonly reply: HttpReply }
  | { readonly ok: false; readonly error: DeliveryError };

/** Default per-call timeout for provider APIs. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Performs one HTTP request; never rejects. */
export async function httpCall(
  call: HttpCall,
  url: string,
  init: RequestInit,
): Promise<HttpResult> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, call.timeoutMs);
  try {
    const res = await call.fetch(url, { ...init, signal: controller.signal });
    const text = await res.text();
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), (call.now ?? Date.now)());
    return {
      ok: true,
      reply: {
        status: res.status,
        headers: res.headers,
        text,
        json: parseJson(text),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
    };
  } catch (e) {
    const reason = timedOut ? 'timeout' : 'network';
    const name = e instanceof Error ? e.name : 'error';
    return {
      ok: false,
      error: deliveryError(reason, {
        provider: call.provider,
        message: timedOut
          ? `${call.provider}: no answer within ${call.timeoutMs} ms.`
          : `${call.provider}: the request failed (${name}).`,
      }),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Maps an HTTP status that carries no provider code to a delivery error. */
export function statusError(
  provider: string,
  status: number,
  extra: { providerCode?: string | number; retryAfterMs?: number } = {},
): DeliveryError {
  const reason =
    status === 429
      ? 'throttled'
      : status >= 500
        ? 'server_error'
        : status === 401 || status === 403
          ? 'provider_auth'
          : status === 404
            ? 'provider_config'
            : status >= 400
              ? 'provider_rejected'
              : 'provider_error';
  return deliveryError(reason, {
    provider,
    providerCode: extra.providerCode ?? status,
    ...(extra.retryAfterMs !== undefined ? { retryAfterMs: extra.retryAfterMs } : {}),
  });
}

/**
 * What a provider's reply to a send means, for the providers whose errors carry a code
 * (Twilio, Meta): a 2xx with the `messageId` read from it is sent, a 2xx without one is
 * `provider_error`; otherwise the provider's `code` as `codeError` maps it, else the HTTP
 * status (`statusError`), keeping the code as `providerCode` for the logs.
 */
export function replyOutcome(
  provider: string,
  { status, retryAfterMs }: HttpReply,
  messageId: unknown,
  code: number,
  codeError: (code: number, extra: { retryAfterMs?: number }) => DeliveryError | undefined,
): SendOutcome {
  if (status >= 200 && status < 300) {
    return typeof messageId === 'string' && messageId !== ''
      ? { ok: true, messageId, provider }
      : { ok: false, error: deliveryError('provider_error', { provider, providerCode: status }) };
  }
  const extra = retryAfterMs !== undefined ? { retryAfterMs } : {};
  const coded = Number.isInteger(code);
  const error =
    (coded ? codeError(code, extra) : undefined) ??
    statusError(provider, status, { ...extra, ...(coded ? { providerCode: code } : {}) });
  return { ok: false, error };
}

/** Encodes fields as `application/x-www-form-urlencoded`; repeated keys as given. */
export function formBody(fields: ReadonlyArray<readonly [string, string]>): string {
  const p = new URLSearchParams();
  for (const [k, v] of fields) p.append(k, v);
  return p.toString();
}
