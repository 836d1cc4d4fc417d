/**
 * Message rendering: the text a code is sent in. The default renderer speaks English,
 * Spanish, French, German, Portuguese, Italian and Dutch (falling back to English), and
 * reads voice codes digit by digit three times. Build another with `createRenderer`.
 * @module
 */
import { createRenderer, type TemplateRenderer } from './renderer';

export type { MessageContext, MessageRenderer } from './context';

/** The built-in renderer: `createRenderer()` with no options. */
export const defaultRenderer: TemplateRenderer = createRenderer();
