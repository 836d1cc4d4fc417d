/**
 * Delivery reports: what a provider's status webhook says about one sent message, in one
 * shape for every provider, plus the helpers webhook parsers share.
 * @module
 */
import { err, type Result } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';
import type { Channel, DeliveryError, OutgoingMessage } from '../ports/sender';

/**
 * Where a message is: `queued` (accepted by the provider), `sent` (handed to the carrier /
 * ringing), `delivered` (handset reached / call answered), `failed` (will not arrive).
 */
export type DeliveryState = 'queued' | 'sent' | 'delivered' | 'failed';

export const DELIVERY_STATES: readonly DeliveryState[] = ['queued', 'sent', 'delivered', 'failed'];

/** One status update for one message. */
export interface DeliveryReport {
  readonly provider: string;
  /** The provider's id of the message or call (what `send` returned as `messageId`). */
  readonly messageId: string;
  readonly channel: Channel;
  readonly state: DeliveryState;
  /** The provider's own status word, e.g. `undelivered`, `expired`, `no-answer`. */
  readonly providerStatus: string;
  /** Why a `failed` message failed, typed like a send error. */
  readonly error?: DeliveryError;
  /** Recipient, E.164, when the webhook says. */
  readonly to?: string;
  /** Provider's time of the update, epoch ms, when the webhook carries one. */
  readonly at?: number;
  /** The correlation reference the adapter attached to the callback (see `deliveryRef`). */
  readonly ref?: string;
}

/** Webhook parameters: a form body, a query string, or a parsed JSON object. */
export type WebhookParams =
  | URLSearchParams
  | Readonly<Record<string, string | number | boolean | readonly string[] | null | undefined>>;

/** Parameters as name → values (repeated names keep every value). @internal */
export function paramMap(params: WebhookParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (k: string, v: string) => out.set(k, [...(out.get(k) ?? []), v]);
  if (params instanceof URLSearchParams) {
    for (const [k, v] of params) add(k, v);
    return out;
  }
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const x of v) add(k, String(x));
    else add(k, String(v));
  }
  return out;
}

/** The first value of `name`, trimmed; `undefined` when absent or empty. @internal */
export function first(map: Map<string, string[]>, name: string): string | undefined {
  const v = map.get(name)?.[0]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/** A malformed webhook, as the catalog's `invalid_request`. @internal */
export function badWebhook(message: string): Result<never, VerifyError> {
  return err(verifyError('invalid_request', { message }));
}

/** Query parameter the adapters append to status callback URLs. */
export const REF_PARAM = 'ref';

/** What a correlation reference is made from: a message, or (the record only) a verification id. */
export type RefSource = string | { readonly verificationId: string; readonly ref?: string };

/**
 * The correlation reference to attach to a message's status callback.
 *
 * Given the `OutgoingMessage`, it is the message's `ref`: the first 32 characters of the
 * verification id (the phone's keyed hash, the store key fragment) followed by this send's
 * tag, which finds the exact attempt in the record. Neither part is the number, the code or
 * enough to check, resend or cancel the verification.
 *
 * Given a verification id (the form earlier versions documented), it is the record part
 * only; a report with such a reference is matched by its message id alone, which the
 * verifier records only for senders without `reportsCarryRef`: pass the message.
 */
export function deliveryRef(source: RefSource): string {
  if (typeof source === 'string') return source.slice(0, 32);
  return source.ref ?? source.verificationId.slice(0, 32);
}

/** Appends `ref=<deliveryRef(source)>` to a callback URL. */
export function withRef(url: string, source: RefSource): string {
  const u = new URL(url);
  u.searchParams.set(REF_PARAM, deliveryRef(source));
  return u.toString();
}

/**
 * A sender's callback URL option (a status callback, Vonage's `eventUrl`) for one message:
 * the option's function, or its URL with `?ref=` (`withRef`). @internal
 */
export function callbackFor(
  option: string | ((m: OutgoingMessage) => string | undefined) | undefined,
  m: OutgoingMessage,
): string | undefined {
  return typeof option === 'function'
    ? option(m)
    : option !== undefined
      ? withRef(option, m)
      : undefined;
}

/**
 * `v` when it has the form of a correlation reference (1 to 64 of `A-Z a-z 0-9 _ -`), else
 * `undefined`: every parser reads a provider's reference field through this. @internal
 */
export function wellFormedRef(v: unknown): string | undefined {
  return typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : undefined;
}

/** Reads `ref` from a request URL (absolute, or a path with a query string). */
export function refOf(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  return wellFormedRef(new URLSearchParams(url.slice(q + 1)).get(REF_PARAM));
}
