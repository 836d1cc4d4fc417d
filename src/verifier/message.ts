/**
 * What `start` and `resend` share after their transition: the decision published, the
 * message rendered, the answer built, and the send run under the features' tickets.
 * @internal
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import type { Step } from '../core/refusal';
import type { SendDecision } from '../core/send';
import type { FallbackPolicy } from '../delivery/fallback';
import type { VerifyError } from '../errors';
import { refusalError } from '../feature/errors';
import { publishCore } from '../feature/events';
import type { SendContext } from '../feature/feature';
import type { StartResult } from '../feature/operation-types';
import type { TemplateRenderer } from '../messages/renderer';
import type { Channel, OutgoingMessage } from '../ports/sender';
import { deliverTracked } from './delivery';
import type { Shell } from './shell';

/** The transition's decision; its core events published. */
export function decided(
  sh: Shell,
  step: Step<SendDecision>,
  ctx: SendContext,
): Result<SendDecision, VerifyError> {
  const d = step.decision;
  const to = d.isOk() ? d.value.verification.to : (step.state.verifications.at(-1)?.to ?? '');
  if (!ctx.silent) publishCore(sh.publish, step.events, { to, context: ctx.context });
  return d.mapErr((r) => refusalError(r, ctx.at));
}

/** How a code is rendered: the number, the code, the locale and template asked for. */
export interface Rendering {
  readonly phone: string;
  readonly code: string;
  readonly locale: string;
  readonly template: string | undefined;
}

function messageFor(
  sh: Shell,
  d: SendDecision,
  r: Rendering,
  ctx: SendContext,
  tag: string,
): OutgoingMessage {
  const v = d.verification;
  const text = sh.render({
    code: r.code,
    channel: v.channel,
    locale: r.locale,
    appName: sh.appName,
    minutes: Math.max(1, Math.round((v.expiresAt - ctx.at) / 60_000)),
    purpose: v.purpose,
    ...(r.template !== undefined ? { template: r.template } : {}),
  });
  // Senders pick the text-to-speech language from `locale`: give the one the text is in.
  const tr = sh.render as Partial<TemplateRenderer>;
  const used = typeof tr.localeFor === 'function' ? tr.localeFor(r.locale) : r.locale;
  return {
    to: r.phone,
    channel: v.channel,
    text,
    code: r.code,
    locale: used,
    verificationId: v.id,
    // The record's key and the send's tag: providers see it, clients never do.
    ref: ctx.phoneKey + tag,
  };
}

/** The decision with the verification's channel replaced (an automatic fallback). */
function withChannel(d: SendDecision, channel: Channel): SendDecision {
  return channel === d.verification.channel
    ? d
    : { ...d, verification: { ...d.verification, channel } };
}

function result(d: SendDecision, messageId: string, channel: Channel): StartResult {
  const v = d.verification;
  return {
    id: v.id,
    to: v.to,
    channel,
    purpose: v.purpose,
    expiresAt: v.expiresAt,
    resendAvailableAt: d.resendAvailableAt,
    sendsLeft: d.sendsLeft,
    messageId,
  };
}

/** Renders and sends the decided message (with the fallback policy); the operation's answer. */
export async function sendDecided(
  sh: Shell,
  fallback: FallbackPolicy,
  ctx: SendContext,
  d: SendDecision,
  r: Rendering,
  tag: string,
): Promise<Result<StartResult, VerifyError>> {
  const v = d.verification;
  const render = (ch: Channel, t: string) => messageFor(sh, withChannel(d, ch), r, ctx, t);
  const sent = await deliverTracked(sh, fallback, {
    key: `phone:${ctx.phoneKey}`,
    message: render(v.channel, tag),
    tag,
    meta: { at: ctx.at, to: v.to, purpose: v.purpose, context: ctx.context, silent: ctx.silent },
    renderAs: render,
  });
  if (sent.isErr()) return err(sent.error);
  return ok(result(d, sent.value.messageId, sent.value.channel));
}
