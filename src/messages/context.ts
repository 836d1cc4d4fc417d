/**
 * What a message renderer is given and what it is: the context of one code to send and the
 * `MessageRenderer` contract. The built-in renderer (`createRenderer`, ./renderer.ts) and the
 * default instance (./render.ts) both build on these types.
 * @module
 */
import type { Channel } from '../ports/sender';

/** Everything a template may use. */
export interface MessageContext {
  readonly code: string;
  readonly channel: Channel;
  /** BCP 47 locale requested (e.g. `pt-BR`). */
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
