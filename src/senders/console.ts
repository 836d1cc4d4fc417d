/**
 * `consoleSender`: prints messages (with the number masked) for demos and local development.
 * @module
 */
import { maskPhone } from '../phone';
import type { Sender } from '../ports/sender';

export interface ConsoleSenderOptions {
  /** Where lines go (default `console.log`). */
  readonly write?: (line: string) => void;
}

/** A Sender that prints `[phoneproof] sms to +1 ••• ••• ••53: <text>` and succeeds. */
export function consoleSender(options: ConsoleSenderOptions = {}): Sender {
  const write = options.write ?? ((line: string) => console.log(line));
  let seq = 0;
  return {
    async send(message) {
      seq += 1;
      write(`[phoneproof] ${message.channel} to ${maskPhone(message.to)}: ${message.text}`);
      return { ok: true, messageId: `console-${seq}`, provider: 'console' };
    },
  };
}
