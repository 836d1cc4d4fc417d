/**
 * A sender that answers from a script, for failover and retry tests.
 */
import { type DeliveryReason, deliveryError } from '../../src/delivery/errors';
import type { Channel, OutgoingMessage, SendOutcome } from '../../src/ports/sender';
import type { NamedSender } from '../../src/senders/failover';

export type Step = 'ok' | DeliveryReason | 'throw' | { retryAfterMs: number };

export interface ScriptedSender extends NamedSender {
  readonly calls: OutgoingMessage[];
  /** Answers the next calls with these steps; then `fallback` forever. */
  script(...steps: Step[]): void;
}

export function scripted(
  name: string,
  fallback: Step = 'ok',
  channels?: readonly Channel[],
): ScriptedSender {
  const calls: OutgoingMessage[] = [];
  const steps: Step[] = [];
  let n = 0;
  return {
    name,
    ...(channels ? { channels } : {}),
    calls,
    script: (...s) => steps.push(...s),
    async send(message): Promise<SendOutcome> {
      calls.push(message);
      const step = steps.shift() ?? fallback;
      if (step === 'ok') {
        n += 1;
        return { ok: true, messageId: `${name}-${n}`, provider: name };
      }
      if (step === 'throw') throw new Error('boom');
      if (typeof step === 'object') {
        return {
          ok: false,
          error: deliveryError('throttled', { provider: name, retryAfterMs: step.retryAfterMs }),
        };
      }
      return { ok: false, error: deliveryError(step, { provider: name }) };
    },
  };
}

export const message = (extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  to: '+14155550100',
  channel: 'sms',
  text: 'Your Acme code is 123456.',
  code: '123456',
  locale: 'en',
  verificationId: `${'K'.repeat(32)}${'n'.repeat(22)}`,
  ...extra,
});
