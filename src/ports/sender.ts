/**
 * The Sender port: delivers a rendered message on a channel through the application's
 * own provider account.
 * @module
 */

/**
 * How a message reaches the phone. `whatsapp`: an authentication template; the sender
 * renders it from the message's `code` and `locale` (its `text` is the SMS-style text, for
 * console and outbox senders).
 */
export type Channel = (typeof CHANNELS)[number];

/** Every channel, in the order documentation lists them. */
export const CHANNELS = ['sms', 'voice', 'whatsapp'] as const;

/** True when `x` names a channel (for input and stored records). */
export function isChannel(x: unknown): x is Channel {
  return (CHANNELS as readonly unknown[]).includes(x);
}

/** One message to deliver. */
export interface OutgoingMessage {
  /** Destination, E.164. */
  readonly to: string;
  readonly channel: Channel;
  /** The rendered text (for voice: the script to read). */
  readonly text: string;
  /** The one-time code, for senders that render their own content (and for test outboxes). */
  readonly code: string;
  /** BCP 47 locale the text was rendered in. */
  readonly locale: string;
  /** The verification this message belongs to. */
  readonly verificationId: string;
  /**
   * Correlation reference for this message's status callbacks: attach it (`withRef(url,
   * message)`, or the provider's client-reference field: `deliveryRef(message)`) so that a
   * delivery report finds this send's attempt. The verifier sets it on every message; it
   * names the record and the send, never the number or the code.
   */
  readonly ref?: string;
}

/** A delivery failure, typed so that retry and failover policy can act on it. */
export interface DeliveryError {
  /**
   * `permanent`: the number cannot receive this (invalid, landline for SMS, blocked,
   * unsubscribed); retrying or another provider will not help.
   * `retryable`: network, timeout, 5xx, 429 and anything unknown.
   */
  readonly kind: 'permanent' | 'retryable';
  /** Stable short reason, e.g. `invalid_number`, `timeout`, `provider_error`. */
  readonly reason: string;
  readonly message: string;
  /** Provider that failed, when known. */
  readonly provider?: string;
  /** Provider's own error code, when given. */
  readonly providerCode?: string | number;
  /** Milliseconds the provider asked to wait (429 Retry-After). */
  readonly retryAfterMs?: number;
}

/** The result of one delivery attempt. */
export type SendOutcome =
  | { readonly ok: true; readonly messageId: string; readonly provider?: string }
  | { readonly ok: false; readonly error: DeliveryError };

export interface Sender {
  /**
   * True when every delivery report for this sender's messages carries the message's `ref`
   * (tag included). The verifier records a send's attempt with the send's decision, before
   * the message leaves; with this flag it learns the provider's message id from the first
   * report and writes nothing more after an accepted send (one store write per send).
   * Without it, it writes the message id once the provider answers, so that reports can be
   * matched by id (two writes), and `status()` shows the id at once. `twilioSender` sets it
   * when it requests status callbacks, `vonageSender` always; wrappers keep it.
   */
  readonly reportsCarryRef?: boolean;
  /**
   * Delivers `message` once. Resolves with the provider's message id, or with a typed
   * `DeliveryError` for failures the sender understood. A rejection is treated as a
   * retryable failure. Must not log or persist the code.
   */
  send(message: OutgoingMessage): Promise<SendOutcome>;
}
