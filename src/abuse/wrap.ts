/**
 * The abuse defenses around the verifier's `start`, `resend` and `check`: budgets are
 * reserved before the operation and given back if it ends without a message leaving;
 * approvals feed the conversion guard; `start` honours `idempotencyKey`. @internal
 * @module
 */
import { errAsync, type Result, ResultAsync } from 'neverthrow';
import { orElseAsync } from '../async';
import type { VerifyError } from '../errors';
import { normalizePhone } from '../phone';
import { phoneKey, unseal } from '../secrets';
import { openId } from '../verifier/ids';
import { DEFAULT_PURPOSE } from '../verifier/input';
import type { Shell } from '../verifier/shell';
import type { CheckResult, RequestContext, StartResult, Verifier } from '../verifier/types';
import {
  type IdempotencyDeps,
  idempotencyKeyOf,
  idempotencyScope,
  idempotent,
} from './idempotency';
import type { Release, SendCall, Shield } from './shield';

export type Ops = Pick<Verifier, 'start' | 'resend' | 'check'>;

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

const contextOf = (o: Record<string, unknown>) =>
  isObject(o.context) ? (o.context as RequestContext) : undefined;

/**
 * Runs a send under its reservations: they are given back when the operation fails before a
 * message could leave (every failure but `delivery_failed`, where the provider may have
 * accepted and billed it). A start refused for consent keeps the requester's reservations:
 * probing numbers without consent costs the prober's own budget (and only theirs), so it
 * cannot be repeated for free.
 */
function underReservation(
  release: Release,
  run: () => ResultAsync<StartResult, VerifyError>,
): ResultAsync<StartResult, VerifyError> {
  return orElseAsync(run(), (e) => {
    if (e.code === 'delivery_failed') return errAsync(e);
    const keep = e.code === 'consent_required' ? 'requester' : undefined;
    return release(keep).andThen(() => errAsync(e));
  });
}

/** The consent given with a start, as one fingerprint part (`''` without one). */
function consentPart(c: unknown): string {
  if (!isObject(c)) return c === undefined ? '' : JSON.stringify(String(c));
  const f = (x: unknown) => (x === undefined ? null : String(x));
  return JSON.stringify([f(c.text), f(c.version), f(c.source), f(c.ip), f(c.userAgent)]);
}

export function wrapStart(
  sh: Shell,
  shield: Shield,
  idem: IdempotencyDeps,
  inner: Verifier['start'],
): Verifier['start'] {
  return (input) => {
    const at = sh.now();
    if (!isObject(input)) return inner(input);
    const o = input as Record<string, unknown>;
    const idemKey = idempotencyKeyOf(o.idempotencyKey);
    if (idemKey.isErr()) return errAsync(idemKey.error);
    if (!shield.active && idemKey.value === undefined) return inner(input);
    const parsed = sh.phoneOf(o.phone);
    const channel = o.channel ?? 'sms';
    // Invalid input: the operation itself reports it.
    if (parsed.isErr() || (channel !== 'sms' && channel !== 'voice')) return inner(input);
    const p = parsed.value;
    const context = contextOf(o);
    const call: SendCall = {
      kind: 'start',
      phoneKey: phoneKey(sh.ring, p.number),
      phone: p.number,
      country: p.country,
      callingCode: p.callingCode,
      channel,
      to: p.masked,
      context,
      silent: o.silent === true,
      at,
    };
    const guarded = () =>
      shield.beforeSend(call).andThen((release) => underReservation(release, () => inner(input)));
    if (idemKey.value === undefined) return guarded();
    const parts = [
      p.number,
      channel,
      String(o.purpose ?? DEFAULT_PURPOSE),
      String(o.locale ?? ''),
      String(o.template ?? ''),
      consentPart(o.consent),
    ];
    const scope = idempotencyScope(idem.key, context, idem.ipv6PrefixLength);
    return idempotent(idem, scope, idemKey.value, parts, guarded);
  };
}

export function wrapResend(
  sh: Shell,
  shield: Shield,
  inner: Verifier['resend'],
): Verifier['resend'] {
  return (input) => {
    const at = sh.now();
    if (!isObject(input)) return inner(input);
    const o = input as Record<string, unknown>;
    const id = openId(sh.ring, o.id);
    if (id.isErr() || !shield.active) return inner(input);
    const context = contextOf(o);
    if (!shield.resendNeedsNumber) {
      // Only requester budgets apply: the number is not needed, so neither is a read.
      if (!context) return inner(input);
      const call: SendCall = {
        kind: 'resend',
        phoneKey: id.value.phoneKey,
        context,
        silent: o.silent === true,
        at,
      };
      return shield
        .beforeSend(call)
        .andThen((release) => underReservation(release, () => inner(input)));
    }
    return sh.read(id.value.key).andThen((state) => {
      const v = state.verifications.find((x) => x.id === id.value.id && x.status === 'pending');
      const phone = v ? unseal(sh.ring, 'phone-number', v.sealed, { legacy: true }) : undefined;
      const n = phone === undefined ? undefined : normalizePhone(phone);
      const channel = o.channel ?? v?.channel;
      // Not pending, unreadable or invalid: the operation itself reports it.
      if (!v || !n || n.isErr() || (channel !== 'sms' && channel !== 'voice')) return inner(input);
      const call: SendCall = {
        kind: 'resend',
        phoneKey: id.value.phoneKey,
        phone: n.value.number,
        country: n.value.country,
        channel,
        to: v.to,
        context,
        silent: o.silent === true,
        at,
      };
      return shield
        .beforeSend(call)
        .andThen((release) => underReservation(release, () => inner(input)));
    });
  };
}

export function wrapCheck(sh: Shell, shield: Shield, inner: Verifier['check']): Verifier['check'] {
  // Conversion and velocity bookkeeping never delays or fails a check: it runs after the
  // answer (its store failures are ignored), so an approving check keeps the phone record's
  // round trips and no more.
  const approve = (at: number) => (r: Result<CheckResult, VerifyError>) => {
    if (r.isErr()) return r;
    const { phone } = r.value;
    const p = sh.phoneOf(phone);
    const n = p.isOk()
      ? {
          callingCode: p.value.callingCode,
          national: p.value.number.slice(1 + p.value.callingCode.length),
          country: p.value.country,
        }
      : undefined;
    // The id is opaque: its phone's key is the number's keyed hash (one HMAC).
    shield.approved(phoneKey(sh.ring, phone), phone, at, n);
    return r;
  };
  return (input) => {
    const at = sh.now();
    const o: Record<string, unknown> = isObject(input) ? input : {};
    if (!shield.active) return inner(input);
    // Native promises: neverthrow's combinators cost a few µs each on this hot path.
    const checked = () =>
      new ResultAsync(
        // neverthrow's `then` delegates to its inner native Promise (declared `PromiseLike`).
        inner(input).then(approve(at)) as Promise<Result<CheckResult, VerifyError>>,
      );
    const gate = shield.beforeCheck(contextOf(o), at, o.silent === true);
    return gate ? gate.andThen(checked) : checked();
  };
}
