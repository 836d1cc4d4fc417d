/**
 * `outboxSender`: keeps every message in memory instead of sending it, for tests.
 * @module
 */
import { nodeEnv } from '../environment';
import type { DeliveryError, OutgoingMessage, Sender, SendOutcome } from '../ports/sender';

/** A message kept by the outbox. */
export interface OutboxMessage {
  readonly to: string;
  readonly channel: OutgoingMessage['channel'];
  readonly code: string;
  readonly text: string;
  readonly locale: string;
  readonly verificationId: string;
  readonly messageId: string;
}

export interface OutboxSender extends Sender {
  /** Every message delivered so far, oldest first. */
  readonly messages: OutboxMessage[];
  /** The newest message to `to` (E.164), or the newest overall. */
  last(to?: string): OutboxMessage | undefined;
  /** Forgets every message. */
  clear(): void;
}

export interface OutboxOptions {
  /** Return a `DeliveryError` to simulate a failed delivery of that message. */
  readonly fail?: (message: OutgoingMessage) => DeliveryError | undefined;
  /**
   * Build one even when `NODE_ENV=production` (a staging deployment that must send nothing).
   * Without it the outbox is refused there: every start would answer success, no message
   * would leave, and every live code would sit in this process's memory.
   */
  readonly allowInProduction?: true;
}

/**
 * A Sender that records messages in `.messages`. Refused (throws, at construction) when
 * `NODE_ENV=production`, unless `allowInProduction: true`.
 */
export function outboxSender(options: OutboxOptions = {}): OutboxSender {
  if (nodeEnv() === 'production' && options.allowInProduction !== true) {
    throw new Error(
      'phoneproof: outboxSender is for tests and keeps every code in memory; NODE_ENV is production (pass allowInProduction: true if this is deliberate)',
    );
  }
  const messages: OutboxMessage[] = [];
  let seq = 0;
  return {
    messages,
    async send(message): Promise<SendOutcome> {
      const failure = options.fail?.(message);
      if (failure) return { ok: false, error: failure };
      seq += 1;
      const messageId = `outbox-${seq}`;
      const { to, channel, code, text, locale, verificationId } = message;
      messages.push({ to, channel, code, text, locale, verificationId, messageId });
      return { ok: true, messageId, provider: 'outbox' };
    },
    last(to) {
      for (let i = messages.length - 1; i >= 0; i -= 1) {
        const m = messages[i]!;
        if (to === undefined || m.to === to) return m;
      }
      return undefined;
    },
    clear() {
      messages.length = 0;
    },
  };
}
