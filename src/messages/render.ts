/**
 * Message rendering: the text a code is sent in. The default renderer speaks English,
 * Spanish, French, German, Portuguese, Italian and Dutch (falling back to English), and
 * reads voice codes digit by digit three times. Build another with `createRenderer`.
 * @module
 */
import type { Channel } from '../ports/sender';
import { createRenderer, type TemplateRenderer } from './renderer';

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

/** The built-in renderer: `createRenderer()` with no options. */
export const defaultRenderer: TemplateRenderer = createRenderer();
