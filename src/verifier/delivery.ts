/**
 * Delivery bookkeeping in the verifier: each send recorded on its verification (shown by
 * `status`), the automatic SMS → voice fallback, and `verifier.delivery`, which applies a
 * provider's status webhook to the verification that sent the message. @internal
 * @module
 */
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import { editState } from '../core/copy';
import type { Refusal, Step } from '../core/refusal';
import type { PhoneState, VerificationState } from '../core/state';
import { toBase64Url } from '../crypto';
import { attemptOf, type SendAttempt } from '../delivery/attempts';
import { deliveryError } from '../delivery/errors';
import { type FallbackPolicy, fallbackChannel, isOptOut } from '../delivery/fallback';
import { recordReport, recordSend, settleSend } from '../delivery/record';
import { DELIVERY_STATES, type DeliveryReport } from '../delivery/report';
import type { VerifyError } from '../errors';
import { outcomeResult, refusalError } from '../feature/errors';
import { bad, FALLBACK_RESEND, objectInput } from '../feature/input';
import type { Channel, OutgoingMessage, SendOutcome } from '../ports/sender';
import { unseal } from '../secrets';
import type { DeliveryMeta, Shell } from './shell';
import type { DeliveryResult, RequestContext, Verifier } from './types';

/**
 * Writes the outcome of a send whose attempt (tagged `tag`) was recorded with its decision:
 * that attempt replaced by `attempts[0]`, later attempts (a fallback) appended, and a channel
 * switch; best effort.
 */
async function settleAttempts(
  sh: Shell,
  key: string,
  id: string,
  tag: string,
  attempts: readonly SendAttempt[],
  patch: Partial<VerificationState>,
  at: number,
): Promise<void> {
  // The message left already: a failed bookkeeping write must not turn it into an error
  // (the client would retry and the person get two codes), so the outcome is ignored.
  await sh.transact(key, at, (s): Step<void> => {
    let verifications = s.verifications;
    let changed = false;
    attempts.forEach((a, i) => {
      const p = i === attempts.length - 1 ? patch : {};
      const r =
        i === 0 ? settleSend(verifications, id, tag, a, p) : recordSend(verifications, id, a, p);
      verifications = r.verifications;
      changed ||= r.changed;
    });
    return {
      state: changed
        ? editState(s, (m) => {
            m.verifications = verifications;
          })
        : s,
      changed,
      decision: ok(undefined),
      events: [],
    };
  });
}

/** A fresh send tag (see `SendAttempt.ref`): 8 characters, 48 random bits. */
export function sendTag(random: (n: number) => Uint8Array): string {
  return toBase64Url(random(6).subarray(0, 6));
}

/**
 * Sends `message`, whose attempt (tagged `tag`, `queued`, no message id) was written with the
 * send's decision; on a permanent SMS failure the policy names (a landline), calls instead
 * with the same code. A message the provider accepts needs no further write when the
 * sender's reports carry the ref (`reportsCarryRef`): the first report names it; otherwise
 * its id is written now. A failure is written too (with the fallback attempt and the channel
 * switch). Resolves with the message id and the channel that delivered.
 */
export async function deliverTracked(
  sh: Shell,
  policy: FallbackPolicy,
  t: {
    readonly key: string;
    readonly message: OutgoingMessage;
    /** The tag of `message`'s attempt, already recorded. */
    readonly tag: string;
    readonly meta: DeliveryMeta;
    /** The same code rendered for another channel, with another send tag. */
    readonly renderAs: (channel: Channel, tag: string) => OutgoingMessage;
  },
): Promise<Result<{ messageId: string; channel: Channel }, VerifyError>> {
  const { message, meta, tag } = t;
  const settle = (attempts: readonly SendAttempt[], patch: Partial<VerificationState> = {}) =>
    settleAttempts(sh, t.key, message.verificationId, tag, attempts, patch, meta.at);
  const sent = await sh.sendOutcome(message, meta);
  // A sender that threw: nothing says the message left.
  const threw = (channel: Channel, t: string) =>
    attemptOf(channel, { ok: false, error: deliveryError('provider_error') }, meta.at, t);
  if (sent.isErr()) {
    await settle([threw(message.channel, tag)]);
    return err(sent.error);
  }
  const first = sent.value;
  if (first.ok) {
    // Reports carry the tag: the first one names the message. Otherwise write the id now.
    if (sh.sender.reportsCarryRef !== true) {
      await settle([attemptOf(message.channel, first, meta.at, tag)]);
    }
    return ok({ messageId: first.messageId, channel: message.channel });
  }
  const next = fallbackChannel(message.channel, first.error, policy);
  const attempts: SendAttempt[] = [attemptOf(message.channel, first, meta.at, tag)];
  let outcome: SendOutcome = first;
  if (next) {
    const again = sendTag(sh.random);
    const retried = await sh.sendOutcome(t.renderAs(next, again), meta);
    if (retried.isErr()) {
      attempts.push(threw(next, again));
      await settle(attempts);
      return err(retried.error);
    }
    outcome = retried.value;
    attempts.push(attemptOf(next, outcome, meta.at, again));
  }
  const switched = next !== undefined && outcome.ok;
  await settle(attempts, switched ? { channel: next } : {});
  return outcomeResult(outcome).map((messageId) => ({
    messageId,
    channel: switched ? next : message.channel,
  }));
}

/** A record's 32 characters, then optionally a send's tag. */
const REF = /^[A-Za-z0-9_-]{32}(?:[A-Za-z0-9_-]{1,32})?$/;

function reportOf(x: unknown): Result<DeliveryReport & { ref: string }, VerifyError> {
  const r = x as Partial<DeliveryReport> | undefined;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.provider !== 'string' ||
    typeof r.messageId !== 'string' ||
    r.messageId.length === 0 ||
    r.messageId.length > 128 ||
    (r.channel !== 'sms' && r.channel !== 'voice') ||
    !DELIVERY_STATES.includes(r.state as never) ||
    typeof r.ref !== 'string' ||
    !REF.test(r.ref) ||
    (r.error !== undefined && (typeof r.error !== 'object' || typeof r.error.reason !== 'string'))
  ) {
    return bad(
      '`report` must be a parsed delivery report carrying its `ref` (see docs/delivery.md).',
    );
  }
  return ok(r as DeliveryReport & { ref: string });
}

interface Found {
  readonly v: VerificationState;
  readonly attempt: SendAttempt;
  readonly changed: boolean;
}

/** A delivery report applied to the phone record (pure). */
function reportStep(s: PhoneState, report: DeliveryReport, at: number): Step<Found> {
  const r = recordReport(s.verifications, report, at);
  const state: PhoneState = r.changed
    ? editState(s, (m) => {
        m.verifications = r.verifications;
      })
    : s;
  const v = state.verifications.find((x) => x.id === r.id);
  const decision: Result<Found, Refusal> =
    v && r.attempt ? ok({ v, attempt: r.attempt, changed: r.changed }) : err({ code: 'not_found' });
  return { state, changed: r.changed, decision, events: [] };
}

/** `verifier.delivery`. */
export function makeDelivery(
  sh: Shell,
  policy: FallbackPolicy,
  resend: Verifier['resend'],
  optOut: ((phone: string, source: string) => ResultAsync<unknown, VerifyError>) | undefined,
): Verifier['delivery'] {
  return (input) => {
    const at = sh.now();
    const parsed = objectInput(input).andThen((o) =>
      reportOf(o.report).map((report) => ({ o, report })),
    );
    if (parsed.isErr()) return errAsync(parsed.error);
    const { o, report } = parsed.value;
    const context = o.context as RequestContext | undefined;
    // The sender says every report of its messages carries the send's tag: one without is
    // not about any of them (only message-id matching would find it, and ids can be known).
    if (sh.sender.reportsCarryRef === true && report.ref.length <= 32) {
      return errAsync(refusalError({ code: 'not_found' }, at));
    }
    return new ResultAsync(
      sh.transact(`phone:${report.ref.slice(0, 32)}`, at, (s) => reportStep(s, report, at)),
    )
      .andThen((step) => step.decision.mapErr((r) => refusalError(r, at)))
      .andThen(({ v, attempt, changed }) => {
        // A copy: the attempt belongs to a state the cache of decoded records may share.
        const result: DeliveryResult = { id: v.id, attempt: { ...attempt }, changed };
        if (!changed) return okAsync(result);
        sh.emitter(o.silent)({
          type: 'verification.delivery_status',
          at,
          id: v.id,
          to: v.to,
          purpose: v.purpose,
          channel: attempt.channel,
          messageId: attempt.messageId,
          ...(attempt.provider ? { provider: attempt.provider } : {}),
          status: attempt.state,
          ...(attempt.reason ? { reason: attempt.reason } : {}),
          ...(attempt.errorCode ? { errorCode: attempt.errorCode } : {}),
          ...(context ? { context } : {}),
        });
        const error = report.state === 'failed' ? report.error : undefined;
        if (!error) return okAsync(result);
        const phone =
          isOptOut(error) && optOut
            ? unseal(sh.ring, 'phone-number', v.sealed, { legacy: true })
            : undefined;
        const recorded: ResultAsync<unknown, never> = phone
          ? optOut!(phone, `provider:${report.provider}`).orElse(() => okAsync(undefined))
          : okAsync(undefined);
        // Fall back only for the verification's latest message, while it is still pending.
        const latest = v.attempts?.at(-1) === attempt;
        const next =
          v.status === 'pending' && latest
            ? fallbackChannel(attempt.channel, error, policy)
            : undefined;
        if (!next) return recorded.map(() => result);
        return recorded.andThen(() =>
          resend({
            id: v.id,
            channel: next,
            silent: o.silent === true,
            ...(context ? { context } : {}),
            [FALLBACK_RESEND]: true,
          } as Parameters<Verifier['resend']>[0])
            .map((fallback): DeliveryResult => ({ ...result, fallback }))
            .orElse(() => okAsync(result)),
        );
      });
  };
}
