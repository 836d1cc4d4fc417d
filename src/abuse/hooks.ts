/**
 * The abuse defenses' hooks: `beforeSend` claims a `start`'s `idempotencyKey` and reserves
 * the budgets (each given back, through the ticket's `settle`, if the operation ends without
 * a message leaving); `beforeCheck` spends the requester check budgets; `afterApprove` feeds
 * the conversion guard and prefix velocity. Each reads the operation's one context: the
 * parsed number of a `start`, the phone key a `resend` or `check` id carries, the requester
 * derived once. @internal
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import type { VerifyError } from '../errors';
import type {
  CheckContext,
  FeatureHooks,
  FeatureIO,
  SendContext,
  SendTicket,
} from '../feature/feature';
import { DEFAULT_PURPOSE } from '../feature/input';
import type { CheckResult, StartResult } from '../feature/operation-types';
import { normalizePhone } from '../phone';
import { isChannel } from '../ports/sender';
import { unseal } from '../secrets';
import {
  claimIdempotency,
  type IdempotencyDeps,
  idempotencyKeyOf,
  idempotencyScope,
} from './idempotency';
import { giveBack, requesterOnly } from './second-writes';
import type { SendCall, Shield } from './shield';

type Hook<K extends keyof FeatureHooks> = NonNullable<FeatureHooks[K]>;
type Answer = Result<SendTicket | undefined, VerifyError>;

const NOTHING: Answer = ok(undefined);

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** The consent given with a start, as one fingerprint part (`''` without one). */
function consentPart(c: unknown): string {
  if (!isObject(c)) return c === undefined ? '' : JSON.stringify(String(c));
  const f = (x: unknown) => (x === undefined ? null : String(x));
  return JSON.stringify([f(c.text), f(c.version), f(c.source), f(c.ip), f(c.userAgent)]);
}

/**
 * A send's budgets, as the abuse feature's share of the operation's one write (decided and
 * reserved with the verification, all or nothing). The ticket gives them back (a second
 * write) when the operation fails after its write without a message leaving (every failure
 * but `delivery_failed`, where the provider may have accepted and billed it). A start
 * refused for consent (by the next hook, before the write) still spends the requester's
 * budgets, in a write of its own: probing numbers without consent costs the prober's own
 * budget (and only theirs), so it cannot be repeated for free; a budget's refusal then
 * ranks first, as the budgets come before consent.
 */
function reserve(shield: Shield, call: SendCall): Answer {
  const r = shield.beforeSend(call);
  if (r.isErr() || r.value === undefined) return r.isErr() ? err(r.error) : NOTHING;
  const { steps, records } = r.value;
  return ok({
    records,
    settle: async (outcome: Result<StartResult, VerifyError>) => {
      if (outcome.isOk()) return undefined;
      const code = outcome.error.code;
      if (!records.ran) {
        return code === 'consent_required'
          ? requesterOnly(shield.store, records, steps)
          : undefined;
      }
      if (records.landed !== undefined && code !== 'delivery_failed') {
        const keep = code === 'consent_required' ? 'requester' : undefined;
        await giveBack(shield.store, steps, records.landed, keep);
      }
      return undefined;
    },
  });
}

/** Both tickets as one: the budgets' records, settled first, then the idempotency key. */
const both = (outer: SendTicket, inner: SendTicket | undefined): SendTicket => ({
  ...(inner?.records ? { records: inner.records } : {}),
  settle: async (outcome) => {
    const replaced = await inner?.settle?.(outcome);
    const o = replaced !== undefined && outcome.isErr() ? err(replaced) : outcome;
    await outer.settle?.(o);
    return replaced;
  },
});

function startCall(ctx: SendContext): SendCall | undefined {
  const p = ctx.phone;
  if (p === undefined) return undefined;
  return {
    kind: 'start',
    phoneKey: ctx.phoneKey,
    phone: p.number,
    country: p.country,
    callingCode: p.callingCode,
    channel: ctx.channel ?? 'sms',
    to: p.masked,
    context: ctx.context,
    requester: ctx.requester,
    silent: ctx.silent,
    at: ctx.at,
  };
}

async function beforeStart(
  shield: Shield,
  idem: IdempotencyDeps,
  ctx: SendContext,
): Promise<Answer> {
  const o = ctx.input;
  const idemKey = idempotencyKeyOf(o.idempotencyKey);
  if (idemKey.isErr()) return err(idemKey.error);
  const call = startCall(ctx);
  if (call === undefined || (!shield.active && idemKey.value === undefined)) return ok(undefined);
  if (idemKey.value === undefined) return reserve(shield, call);
  const parts = [
    call.phone as string,
    call.channel as string,
    String(o.purpose ?? DEFAULT_PURPOSE),
    String(o.locale ?? ''),
    String(o.template ?? ''),
    consentPart(o.consent),
  ];
  const scope = idempotencyScope(idem.key, ctx.requester);
  const claimed = await claimIdempotency(idem, scope, idemKey.value, parts);
  if (claimed.isErr() || claimed.value.replay !== undefined || !shield.active) return claimed;
  const reserved = reserve(shield, call);
  if (reserved.isErr()) {
    await claimed.value.settle?.(err(reserved.error));
    return reserved;
  }
  return ok(both(claimed.value, reserved.value));
}

async function beforeResend(shield: Shield, io: FeatureIO, ctx: SendContext): Promise<Answer> {
  if (!shield.active) return ok(undefined);
  const base = {
    kind: 'resend' as const,
    phoneKey: ctx.phoneKey,
    context: ctx.context,
    requester: ctx.requester,
    silent: ctx.silent,
    at: ctx.at,
  };
  // Only requester budgets apply: the number is not needed, so neither is a read.
  if (!shield.resendNeedsNumber) {
    return isObject(ctx.context) ? reserve(shield, base) : NOTHING;
  }
  const state = await io.read(`phone:${ctx.phoneKey}`);
  if (state.isErr()) return err(state.error);
  const v = state.value.verifications.find((x) => x.id === ctx.id && x.status === 'pending');
  const phone = v ? unseal(io.ring, 'phone-number', v.sealed, { legacy: true }) : undefined;
  const n = phone === undefined ? undefined : normalizePhone(phone);
  const channel = ctx.input.channel ?? v?.channel;
  // Not pending, unreadable or invalid: the operation itself reports it.
  if (!v || !n || n.isErr() || !isChannel(channel)) return ok(undefined);
  return reserve(shield, {
    ...base,
    phone: n.value.number,
    country: n.value.country,
    channel,
    to: v.to,
  });
}

/** The abuse defenses' hooks. */
export function abuseHooks(shield: Shield, idem: IdempotencyDeps, io: FeatureIO): FeatureHooks {
  const beforeSend: Hook<'beforeSend'> = (ctx) => {
    // Nothing to claim or reserve: answer at once (no promise on the hot path).
    if (!shield.active && (ctx.op === 'resend' || ctx.input.idempotencyKey === undefined)) {
      return NOTHING;
    }
    return ctx.op === 'start' ? beforeStart(shield, idem, ctx) : beforeResend(shield, io, ctx);
  };
  if (!shield.active) return { beforeSend };
  // Checks whose approval bookkeeping their own write holds (the number known).
  const folded = new WeakSet<CheckContext>();
  const beforeCheck: Hook<'beforeCheck'> = (ctx: CheckContext) => {
    const p = ctx.phone;
    const b = shield.beforeCheck({
      requester: ctx.requester,
      phoneKey: ctx.phoneKey,
      split: p ? splitOf(p) : undefined,
      at: ctx.at,
      context: isObject(ctx.context) ? ctx.context : undefined,
      silent: ctx.silent,
    });
    if (b === undefined) return undefined;
    if (b.folded) folded.add(ctx);
    return ok({ records: b.records });
  };
  // An approval the check's write could not hold (a check by id of a number this process did
  // not start): its own write, after the answer (its store failures are ignored).
  const afterApprove: Hook<'afterApprove'> = (result: CheckResult, ctx: CheckContext) => {
    if (!folded.has(ctx)) {
      const p = ctx.phone ?? io.phoneOf(result.phone).unwrapOr(undefined);
      shield.approved(ctx.phoneKey, result.phone, ctx.at, p ? splitOf(p) : undefined);
    }
    return Promise.resolve(ok(result));
  };
  return { beforeSend, beforeCheck, afterApprove };
}

/** A parsed number split for the budgets. */
const splitOf = (p: {
  readonly number: string;
  readonly callingCode: string;
  readonly country: string;
}) => ({
  callingCode: p.callingCode,
  national: p.number.slice(1 + p.callingCode.length),
  country: p.country,
});
