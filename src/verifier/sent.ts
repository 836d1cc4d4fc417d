/**
 * One send and its events: `verification.sent` or `verification.delivery_failed`. A sender
 * that throws is `delivery_failed` as a value. @internal
 * @module
 */
import { ok, type Result } from 'neverthrow';
import { resultPromise } from '../async';
import { type VerifyError, verifyError } from '../errors';
import { type Publish, silent } from '../feature/events';
import type { RequestContext } from '../feature/operation-types';
import type { OutgoingMessage, SendOutcome } from '../ports/sender';

/** What a send's events say about it. */
export interface DeliveryMeta {
  readonly at: number;
  readonly to: string;
  readonly purpose: string;
  readonly context: RequestContext | undefined;
  readonly silent: unknown;
}

/** Sends `message` through `send`; publishes its outcome (unless the call is silent). */
export function sendPublished(
  publish: Publish,
  send: (message: OutgoingMessage, at: number) => Promise<SendOutcome>,
  message: OutgoingMessage,
  meta: DeliveryMeta,
): Promise<Result<SendOutcome, VerifyError>> {
  const published = (outcome: SendOutcome): Result<SendOutcome, VerifyError> => {
    if (meta.silent === true || publish === silent) return ok(outcome);
    const base = {
      at: meta.at,
      id: message.verificationId,
      to: meta.to,
      purpose: meta.purpose,
      ...(meta.context ? { context: meta.context } : {}),
    };
    if (outcome.ok) {
      const provider = outcome.provider ? { provider: outcome.provider } : {};
      publish({
        type: 'verification.sent',
        channel: message.channel,
        messageId: outcome.messageId,
        ...provider,
        ...base,
      });
    } else {
      const { reason, kind } = outcome.error;
      publish({
        type: 'verification.delivery_failed',
        channel: message.channel,
        reason,
        kind,
        ...base,
      });
    }
    return ok(outcome);
  };
  return resultPromise(
    () => send(message, meta.at),
    published,
    (e) => verifyError('delivery_failed', { cause: e }),
  );
}
