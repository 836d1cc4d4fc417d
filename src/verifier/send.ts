/**
 * The `start` and `resend` operations. Each builds its context once (one timestamp, the
 * parsed number or the phone key the id carries, the requester), asks the features'
 * `presetCode` and `beforeSend` hooks, runs its transition, sends, and settles the features'
 * tickets with the outcome. @internal
 * @module
 */
import { err, errAsync, ok, type Result, ResultAsync } from 'neverthrow';
import { generateCode } from '../codes';
import { resendTransition, startTransition } from '../core/send';
import { toBase64Url } from '../crypto';
import { pendingAttempt } from '../delivery/attempts';
import type { FallbackPolicy } from '../delivery/fallback';
import { type VerifyError, verifyError } from '../errors';
import { silent } from '../feature/events';
import { operationBase, type SendContext } from '../feature/feature';
import {
  channelOf,
  FALLBACK_RESEND,
  localeOf,
  objectInput,
  purposeOf,
  templateOf,
} from '../feature/input';
import type { StartResult } from '../feature/operation-types';
import type { OperationRecords } from '../feature/records';
import { requesterTag } from '../feature/requester';
import type { Channel } from '../ports/sender';
import { codeDigest, phoneKey, seal, unseal } from '../secrets';
import { sendTag } from './delivery';
import { behindGate, gateSend, type Hooks, presetCodeFor } from './hooks';
import { newVerificationId } from './ids';
import { decided, type Rendering, sendDecided } from './message';
import type { Shell } from './shell';
import type { Verifier } from './types';

/**
 * Runs `op` behind the `beforeSend` hooks: a refusal, a replay, or `op` (given the features'
 * records, written with the verification in one atomic write) then the settlers.
 */
function gated(
  hooks: Hooks,
  ctx: SendContext,
  op: (records: readonly OperationRecords[]) => Promise<Result<StartResult, VerifyError>>,
): Promise<Result<StartResult, VerifyError>> {
  if (hooks.beforeSend.length === 0) return op([]);
  const gate = gateSend(hooks, ctx);
  return gate instanceof Promise ? gate.then((g) => behindGate(g, op)) : behindGate(gate, op);
}

const drawCode = (sh: Shell, hooks: Hooks, ctx: SendContext) =>
  presetCodeFor(hooks, ctx) ?? generateCode(sh.random, sh.policy.codeLength, sh.policy.alphabet);

/** A start's input, validated (sequential checks: this is the hot path). */
function startInput(sh: Shell, input: unknown) {
  const obj = objectInput(input);
  if (obj.isErr()) return err(obj.error);
  const o = obj.value;
  const phone = sh.phoneOf(o.phone);
  if (phone.isErr()) return err(phone.error);
  const channel = channelOf(o.channel, 'sms');
  if (channel.isErr()) return err(channel.error);
  const purpose = purposeOf(o.purpose);
  if (purpose.isErr()) return err(purpose.error);
  const locale = localeOf(o.locale, sh.defaultLocale);
  if (locale.isErr()) return err(locale.error);
  const template = templateOf(o.template);
  if (template.isErr()) return err(template.error);
  return ok({
    o,
    phone: phone.value,
    channel: channel.value as Channel,
    purpose: purpose.value,
    locale: locale.value,
    template: template.value,
  });
}

export function makeStart(
  sh: Shell,
  hooks: Hooks,
  fallback: FallbackPolicy = {},
): Verifier['start'] {
  return (input) => {
    const at = sh.now();
    const parsed = startInput(sh, input);
    if (parsed.isErr()) return errAsync(parsed.error);
    const { o, phone, channel, purpose, locale, template } = parsed.value;
    const pkey = phoneKey(sh.ring, phone.number);
    // 12 bytes of the id's IV, 12 of the number's IV, 6 of the send's tag: one draw.
    const nonce = sh.random(30);
    const id = newVerificationId(sh.ring, pkey, nonce.subarray(0, 12));
    const tag = toBase64Url(nonce.subarray(24, 30));
    const ctx: SendContext = {
      op: 'start',
      ...operationBase(o, at, sh.ipv6Prefix),
      phoneKey: pkey,
      id,
      phone,
      channel,
      purpose,
    };
    const code = drawCode(sh, hooks, ctx);
    const digest = codeDigest(sh.ring.current, id, purpose, code);
    const sealed = seal(sh.ring, 'phone-number', phone.number, nonce.subarray(12, 24));
    const op = async (
      records: readonly OperationRecords[],
    ): Promise<Result<StartResult, VerifyError>> => {
      const attempt = pendingAttempt(channel, at, tag);
      const by = requesterTag(sh.ring, ctx.requester);
      const key = `phone:${pkey}`;
      const step = await sh.transact(
        key,
        at,
        (s) =>
          startTransition(
            s,
            { id, purpose, channel, digest, to: phone.masked, sealed, attempt, by },
            at,
            sh.policy,
          ),
        records,
      );
      if (step.isErr()) return err(step.error);
      const d = decided(sh, step.value, ctx);
      if (d.isErr()) return err(d.error);
      sh.ids.note({ id, phoneKey: pkey, key }, phone.number, sealed);
      const emit = sh.emitter(ctx.silent);
      if (emit !== silent) {
        emit({
          type: 'verification.started',
          at,
          id,
          to: phone.masked,
          purpose,
          channel,
          ...(ctx.context ? { context: ctx.context } : {}),
        });
      }
      const r: Rendering = { phone: phone.number, code, locale, template };
      return sendDecided(sh, fallback, ctx, d.value, r, tag);
    };
    return new ResultAsync(gated(hooks, ctx, op));
  };
}

export function makeResend(
  sh: Shell,
  hooks: Hooks,
  fallback: FallbackPolicy = {},
): Verifier['resend'] {
  return (input) => {
    const at = sh.now();
    const parsed = objectInput(input).andThen((o) =>
      sh.ids
        .open(o.id)
        .andThen((opened) =>
          channelOf(o.channel, undefined).andThen((channel) =>
            localeOf(o.locale, sh.defaultLocale).andThen((locale) =>
              templateOf(o.template).map((template) => ({ o, opened, channel, locale, template })),
            ),
          ),
        ),
    );
    if (parsed.isErr()) return errAsync(parsed.error);
    const { o, opened, channel, locale, template } = parsed.value;
    const ctx: SendContext = {
      op: 'resend',
      ...operationBase(o, at, sh.ipv6Prefix),
      phoneKey: opened.phoneKey,
      id: opened.id,
      ...(channel ? { channel } : {}),
    };
    const code = drawCode(sh, hooks, ctx);
    const tag = sendTag(sh.random);
    const op = async (
      records: readonly OperationRecords[],
    ): Promise<Result<StartResult, VerifyError>> => {
      const by = requesterTag(sh.ring, ctx.requester);
      const step = await sh.transact(
        opened.key,
        at,
        (s) => {
          const found = s.verifications.find((x) => x.id === opened.id);
          const digest = codeDigest(sh.ring.current, opened.id, found?.purpose ?? '', code);
          const attempt = pendingAttempt(channel ?? found?.channel ?? 'sms', at, tag);
          const fb = o[FALLBACK_RESEND as never] === true ? { fallback: true } : {};
          return resendTransition(
            s,
            { id: opened.id, digest, attempt, ...(channel ? { channel } : {}), ...fb, by },
            at,
            sh.policy,
          );
        },
        records,
      );
      if (step.isErr()) return err(step.error);
      const d = decided(sh, step.value, ctx);
      if (d.isErr()) return err(d.error);
      const phone = unseal(sh.ring, 'phone-number', d.value.verification.sealed, { legacy: true });
      if (phone === undefined) {
        return err(
          verifyError('store_corrupt', {
            message: 'The stored number cannot be decrypted with the configured secrets.',
          }),
        );
      }
      return sendDecided(sh, fallback, ctx, d.value, { phone, code, locale, template }, tag);
    };
    return new ResultAsync(gated(hooks, ctx, op));
  };
}
