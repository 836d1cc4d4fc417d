/**
 * The `start` and `resend` operations. @internal
 * @module
 */
import { err, errAsync, ok, type Result, ResultAsync } from 'neverthrow';
import { generateCode } from '../codes';
import type { Step } from '../core/refusal';
import { resendTransition, type SendDecision, startTransition } from '../core/send';
import { pendingAttempt } from '../delivery/attempts';
import type { FallbackPolicy } from '../delivery/fallback';
import { type VerifyError, verifyError } from '../errors';
import type { TemplateRenderer } from '../messages/renderer';
import type { Channel, OutgoingMessage } from '../ports/sender';
import { codeDigest, phoneKey, seal, unseal } from '../secrets';
import { deliverTracked, sendTag } from './delivery';
import { publishCore, silent } from './events';
import { presetCodeFor, type SendRequest } from './hooks';
import { newVerificationId, openId } from './ids';
import { channelOf, FALLBACK_RESEND, localeOf, objectInput, purposeOf, templateOf } from './input';
import { requesterTag } from './requester';
import { refusalError, type Shell } from './shell';
import type { RequestContext, StartResult, Verifier } from './types';

function decided(
  sh: Shell,
  step: Step<SendDecision>,
  at: number,
  context: RequestContext | undefined,
  quiet: unknown,
): Result<SendDecision, VerifyError> {
  const d = step.decision;
  const to = d.isOk() ? d.value.verification.to : (step.state.verifications.at(-1)?.to ?? '');
  if (quiet !== true) publishCore(sh.publish, step.events, { to, context });
  return d.mapErr((r) => refusalError(r, at));
}

function messageFor(
  sh: Shell,
  d: SendDecision,
  phone: string,
  code: string,
  locale: string,
  template: string | undefined,
  at: number,
  tag: string,
  pkey: string,
): OutgoingMessage {
  const v = d.verification;
  const text = sh.render({
    code,
    channel: v.channel,
    locale,
    appName: sh.appName,
    minutes: Math.max(1, Math.round((v.expiresAt - at) / 60_000)),
    purpose: v.purpose,
    ...(template !== undefined ? { template } : {}),
  });
  // Senders pick the text-to-speech language from `locale`: give the one the text is in.
  const r = sh.render as Partial<TemplateRenderer>;
  const used = typeof r.localeFor === 'function' ? r.localeFor(locale) : locale;
  return {
    to: phone,
    channel: v.channel,
    text,
    code,
    locale: used,
    verificationId: v.id,
    // The record's key and the send's tag: providers see it, clients never do.
    ref: pkey + tag,
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

export function makeStart(sh: Shell, fallback: FallbackPolicy = {}): Verifier['start'] {
  return (input) => {
    const at = sh.now();
    const obj = objectInput(input);
    if (obj.isErr()) return errAsync(obj.error);
    const o = obj.value;
    const phoneR = sh.phoneOf(o.phone);
    if (phoneR.isErr()) return errAsync(phoneR.error);
    const channelR = channelOf(o.channel, 'sms');
    if (channelR.isErr()) return errAsync(channelR.error);
    const purposeR = purposeOf(o.purpose);
    if (purposeR.isErr()) return errAsync(purposeR.error);
    const localeR = localeOf(o.locale, sh.defaultLocale);
    if (localeR.isErr()) return errAsync(localeR.error);
    const templateR = templateOf(o.template);
    if (templateR.isErr()) return errAsync(templateR.error);
    const phone = phoneR.value;
    const channel = channelR.value as Channel;
    const purpose = purposeR.value;
    const locale = localeR.value;
    const template = templateR.value;
    const context = o.context as RequestContext | undefined;
    const pkey = phoneKey(sh.ring, phone.number);
    // 12 bytes of the id's IV, 12 of the number's IV, 6 of the send's tag: one draw.
    const nonce = sh.random(30);
    const id = newVerificationId(sh.ring, pkey, nonce.subarray(0, 12));
    const tag = Buffer.from(nonce.buffer, nonce.byteOffset + 24, 6).toString('base64url');
    const code =
      presetCodeFor(sh.hooks, pkey, at) ??
      generateCode(sh.random, sh.policy.codeLength, sh.policy.alphabet);
    const digest = codeDigest(sh.ring.current, id, purpose, code);
    const to = phone.masked;
    const sealed = seal(sh.ring, 'phone-number', phone.number, nonce.subarray(12, 24));
    const req: SendRequest = {
      kind: 'start',
      id,
      phoneKey: pkey,
      phone: phone.number,
      country: phone.country,
      channel,
      purpose,
      input: o,
      silent: o.silent === true,
      at,
      ...(context ? { context } : {}),
    };
    const run = async (): Promise<Result<StartResult, VerifyError>> => {
      if (sh.hooks.beforeSend.length > 0) {
        const allowed = await sh.guardP(req);
        if (allowed.isErr()) return err(allowed.error);
      }
      const key = `phone:${pkey}`;
      const step = await sh.transactP(key, at, (s) =>
        startTransition(
          s,
          {
            id,
            purpose,
            channel,
            digest,
            to,
            sealed,
            attempt: pendingAttempt(channel, at, tag),
            by: requesterTag(sh.ring, context),
          },
          at,
          sh.policy,
        ),
      );
      if (step.isErr()) return err(step.error);
      const d = decided(sh, step.value, at, context, o.silent);
      if (d.isErr()) return err(d.error);
      const emit = sh.emitter(o.silent);
      if (emit !== silent) {
        emit({
          type: 'verification.started',
          at,
          id,
          to,
          purpose,
          channel,
          ...(context ? { context } : {}),
        });
      }
      const render = (ch: Channel, t: string) =>
        messageFor(sh, withChannel(d.value, ch), phone.number, code, locale, template, at, t, pkey);
      const sent = await deliverTracked(sh, fallback, {
        key,
        message: render(d.value.verification.channel, tag),
        tag,
        meta: { at, to, purpose, context, silent: o.silent },
        renderAs: render,
      });
      if (sent.isErr()) return err(sent.error);
      return ok(result(d.value, sent.value.messageId, sent.value.channel));
    };
    return new ResultAsync(run());
  };
}

export function makeResend(sh: Shell, fallback: FallbackPolicy = {}): Verifier['resend'] {
  return (input) => {
    const at = sh.now();
    const parsed = objectInput(input).andThen((o) =>
      openId(sh.ring, o.id).andThen(({ id, phoneKey: pkey, key }) =>
        channelOf(o.channel, undefined).andThen((channel) =>
          localeOf(o.locale, sh.defaultLocale).andThen((locale) =>
            templateOf(o.template).map((template) => ({
              o,
              id,
              pkey,
              key,
              channel,
              locale,
              template,
            })),
          ),
        ),
      ),
    );
    if (parsed.isErr()) return errAsync(parsed.error);
    const { o, id, pkey, key, channel, locale, template } = parsed.value;
    const context = o.context as RequestContext | undefined;
    const code =
      presetCodeFor(sh.hooks, pkey, at) ??
      generateCode(sh.random, sh.policy.codeLength, sh.policy.alphabet);
    const tag = sendTag(sh.random);
    return sh
      .guard({
        kind: 'resend',
        phoneKey: pkey,
        input: o,
        silent: o.silent === true,
        at,
        ...(channel ? { channel } : {}),
        ...(context ? { context } : {}),
      })
      .andThen(() =>
        sh.transact(key, at, (s) => {
          const found = s.verifications.find((x) => x.id === id);
          const digest = codeDigest(sh.ring.current, id, found?.purpose ?? '', code);
          const attempt = pendingAttempt(channel ?? found?.channel ?? 'sms', at, tag);
          return resendTransition(
            s,
            {
              id,
              digest,
              attempt,
              ...(channel ? { channel } : {}),
              ...(o[FALLBACK_RESEND as never] === true ? { fallback: true } : {}),
              by: requesterTag(sh.ring, context),
            },
            at,
            sh.policy,
          );
        }),
      )
      .andThen((step) => decided(sh, step, at, context, o.silent))
      .andThen((d) => {
        const v = d.verification;
        const phone = unseal(sh.ring, 'phone-number', v.sealed, { legacy: true });
        if (phone === undefined) {
          return errAsync(
            verifyError('store_corrupt', {
              message: 'The stored number cannot be decrypted with the configured secrets.',
            }),
          );
        }
        const render = (ch: Channel, t: string) =>
          messageFor(sh, withChannel(d, ch), phone, code, locale, template, at, t, pkey);
        return new ResultAsync(
          deliverTracked(sh, fallback, {
            key,
            message: render(v.channel, tag),
            tag,
            meta: { at, to: v.to, purpose: v.purpose, context, silent: o.silent },
            renderAs: render,
          }),
        ).andThen((sent) => ok(result(d, sent.messageId, sent.channel)));
      });
  };
}
