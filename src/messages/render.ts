/**
 * Message rendering: the text a code is sent in. The default is a short English SMS and a
 * voice script that reads the code digit by digit.
 * @module
 */
import type { Channel } from '../ports/sender';

/** Everything a template may use. */
export interface MessageContext {
  readonly code: string;
  readonly channel: Channel;
  readonly locale: string;
  /** The application's name as users know it. */
  readonly appName: string;
  /** Whole minutes until the code expires. */
  readonly minutes: number;
  readonly purpose: string;
  /** Named template requested by the caller, if any. */
  readonly template?: string;
}

/** Turns a context into the message text. Must be synchronous and must not throw. */
export type MessageRenderer = (ctx: MessageContext) => string;

/** The built-in English renderer. */
export const defaultRenderer: MessageRenderer = (ctx) => {
  if (ctx.channel === 'voice') {
    const spoken = [...ctx.code].join(', ');
    return `Your ${ctx.appName} verification code is: ${spoken}. Again: ${spoken}.`;
  }
  return `Your ${ctx.appName} verification code is ${ctx.code}. It expires in ${ctx.minutes} minutes. Do not share it.`;
};
