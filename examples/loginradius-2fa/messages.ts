/**
 * The tenant's messages: SMS templates that `smstemplate2fa` names, and the same SMS content
 * read by voice when `isvoiceotp` asks for a call.
 * @module
 */
import { createRenderer, type MessageContext, spokenCode } from '../../src/messages/index';

/** The tenant's SMS templates (`smstemplate2fa` names one), of the code as written or spoken. */
const SMS_TEMPLATES: Readonly<Record<string, (code: string, ctx: MessageContext) => string>> = {
  'SMS-Template': (code, ctx) =>
    `${code} is your ${ctx.appName} sign-in code. It expires in ${ctx.minutes} minute${ctx.minutes === 1 ? '' : 's'}.`,
};
const templateOf = (ctx: MessageContext) =>
  ctx.template !== undefined && Object.hasOwn(SMS_TEMPLATES, ctx.template)
    ? SMS_TEMPLATES[ctx.template]
    : undefined;

/**
 * SMS from the named template; a call (`isvoiceotp`) reads the same SMS content with the code
 * spoken digit by digit, as the page says ("sending SMS content via Voice"). An empty voice
 * text means no template: the built-in voice script is read.
 */
export const messages = createRenderer({
  templates: Object.fromEntries(
    Object.entries(SMS_TEMPLATES).map(([name, t]) => [
      name,
      (ctx: MessageContext) => t(ctx.code, ctx),
    ]),
  ),
  voice: { template: (ctx) => templateOf(ctx)?.(spokenCode(ctx.code), ctx) ?? '' },
});
