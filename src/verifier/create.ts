/**
 * `createVerifier`: the imperative shell. It validates input, prepares codes and digests,
 * runs one pure transition per operation through the Store port's atomic update, delivers
 * messages through the Sender port and publishes events. Every decision is in `src/core`.
 * @module
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { err, errAsync, ok, type Result, ResultAsync } from 'neverthrow';
import { generateCode, normalizeCodeInput } from '../codes';
import {
  type CheckTarget,
  cancelTransition,
  checkTransition,
  findTarget,
  viewVerification,
} from '../core/check';
import { resolvePolicy } from '../core/policy';
import type { Refusal, Step } from '../core/refusal';
import { resendTransition, type SendDecision, startTransition } from '../core/send';
import { recordTtl } from '../core/settle';
import { CorruptRecordError, decodeState, encodeState, type PhoneState } from '../core/state';
import { secondsUntil, type VerifyError, verifyError } from '../errors';
import { defaultRenderer } from '../messages/render';
import { maskPhone, type NormalizedPhone, normalizePhone } from '../phone';
import type { Channel, OutgoingMessage } from '../ports/sender';
import type { StoreWrite } from '../ports/store';
import { codeDigest, codeMatches, keyring, phoneKey, seal, unseal } from '../secrets';
import { publishCore, publisher } from './events';
import {
  bad,
  channelOf,
  idOf,
  keyOfId,
  localeOf,
  objectInput,
  purposeOf,
  templateOf,
} from './input';
import type {
  CancelResult,
  CheckResult,
  RequestContext,
  StartResult,
  StatusResult,
  Verifier,
  VerifierOptions,
} from './types';

/** Maps a core refusal to a catalog error with seconds to wait. */
export function refusalError(r: Refusal, now: number): VerifyError {
  return verifyError(r.code, {
    ...(r.retryAt !== undefined ? { retryAfter: secondsUntil(r.retryAt, now) } : {}),
    ...(r.attemptsLeft !== undefined ? { attemptsLeft: r.attemptsLeft } : {}),
  });
}

function storeError(e: unknown): VerifyError {
  if (e instanceof CorruptRecordError) return verifyError('store_corrupt', { cause: e });
  return verifyError('store_unavailable', { cause: e });
}

/** Builds a verifier. Throws (once) on misconfiguration; every later failure is a value. */
export function createVerifier(options: VerifierOptions): Verifier {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('phoneproof: createVerifier needs an options object.');
  }
  const ring = keyring(options.secret, options.lookupSecret);
  const { store, sender } = options;
  if (!store || typeof store.update !== 'function' || typeof store.get !== 'function') {
    throw new TypeError('phoneproof: `store` must implement the Store port (update, get).');
  }
  if (!sender || typeof sender.send !== 'function') {
    throw new TypeError('phoneproof: `sender` must implement the Sender port (send).');
  }
  const policy = resolvePolicy(options.policy);
  const now = options.now ?? Date.now;
  const random = options.randomBytes ?? ((n: number) => nodeRandomBytes(n));
  const render = options.messages ?? defaultRenderer;
  const appName = options.appName ?? 'phoneproof';
  const publish = publisher(options.onEvent);
  const maskVisible = options.maskVisible ?? 2;
  const defaultLocaleResult = localeOf(options.defaultLocale, 'en');
  if (defaultLocaleResult.isErr())
    throw new TypeError('phoneproof: `defaultLocale` is not a BCP 47 tag.');
  const defaultLocale = defaultLocaleResult.value;
  const allowed = options.allowedCountries
    ? new Set(options.allowedCountries.map((c) => c.toUpperCase()))
    : undefined;
  const defaultCountry = options.defaultCountry;
  if (
    defaultCountry !== undefined &&
    normalizePhone('+1 213 373 4253', { defaultCountry }).isErr()
  ) {
    throw new TypeError(`phoneproof: unknown defaultCountry "${defaultCountry}".`);
  }

  const mask = (e164: string) => maskPhone(e164, { visible: maskVisible });

  const phoneOf = (x: unknown): Result<NormalizedPhone, VerifyError> =>
    normalizePhone(x, defaultCountry ? { defaultCountry } : {}).andThen((p) =>
      allowed && !allowed.has(p.country) ? err(verifyError('country_not_allowed')) : ok(p),
    );

  const writeOf = (state: PhoneState, at: number): StoreWrite => {
    const ttlMs = recordTtl(state, at, policy);
    return ttlMs > 0 ? { value: encodeState(state), ttlMs } : { delete: true };
  };

  /** Runs a transition through the store's atomic update; a throw becomes a value. */
  function transact<T>(
    key: string,
    at: number,
    f: (s: PhoneState) => Step<T>,
  ): ResultAsync<Step<T>, VerifyError> {
    return ResultAsync.fromThrowable(
      () =>
        store.update(key, (raw) => {
          const step = f(decodeState(raw));
          return step.changed ? { result: step, write: writeOf(step.state, at) } : { result: step };
        }),
      storeError,
    )();
  }

  const read = (key: string) =>
    ResultAsync.fromThrowable(() => store.get(key), storeError)().andThen((raw) => {
      try {
        return ok(decodeState(raw));
      } catch (e) {
        return err(storeError(e));
      }
    });

  const silentOr = (silent: unknown) => (silent === true ? () => {} : publish);

  function deliver(
    message: OutgoingMessage,
    meta: {
      at: number;
      to: string;
      purpose: string;
      context: RequestContext | undefined;
      silent: unknown;
    },
  ): ResultAsync<string, VerifyError> {
    const emit = silentOr(meta.silent);
    const base = {
      at: meta.at,
      id: message.verificationId,
      to: meta.to,
      purpose: meta.purpose,
      ...(meta.context ? { context: meta.context } : {}),
    };
    return ResultAsync.fromThrowable(
      () => sender.send(message),
      (e) => verifyError('delivery_failed', { cause: e }),
    )().andThen((outcome) => {
      if (outcome.ok) {
        emit({
          type: 'verification.sent',
          channel: message.channel,
          messageId: outcome.messageId,
          ...(outcome.provider ? { provider: outcome.provider } : {}),
          ...base,
        });
        return ok(outcome.messageId);
      }
      emit({
        type: 'verification.delivery_failed',
        channel: message.channel,
        reason: outcome.error.reason,
        kind: outcome.error.kind,
        ...base,
      });
      return err(
        verifyError('delivery_failed', { message: outcome.error.message, cause: outcome.error }),
      );
    });
  }

  function newCode(id: string, purpose: string): { code: string; digest: string } {
    const code = generateCode(random, policy.codeLength, policy.alphabet);
    return { code, digest: codeDigest(ring.current, id, purpose, code) };
  }

  function sendResult(
    step: Step<SendDecision>,
    at: number,
    ctx: RequestContext | undefined,
    silent: unknown,
  ): Result<SendDecision, VerifyError> {
    const d = step.decision;
    const to = d.isOk() ? d.value.verification.to : '';
    if (silent !== true) publishCore(publish, step.events, { to, context: ctx });
    return d.mapErr((r) => refusalError(r, at));
  }

  function messageFor(
    d: SendDecision,
    phone: string,
    code: string,
    locale: string,
    template: string | undefined,
    at: number,
  ): OutgoingMessage {
    const v = d.verification;
    const text = render({
      code,
      channel: v.channel,
      locale,
      appName,
      minutes: Math.max(1, Math.round((v.expiresAt - at) / 60_000)),
      purpose: v.purpose,
      ...(template !== undefined ? { template } : {}),
    });
    return { to: phone, channel: v.channel, text, code, locale, verificationId: v.id };
  }

  const start: Verifier['start'] = (input) => {
    const at = now();
    const parsed = objectInput(input).andThen((o) =>
      phoneOf(o.phone).andThen((phone) =>
        channelOf(o.channel, 'sms').andThen((channel) =>
          purposeOf(o.purpose).andThen((purpose) =>
            localeOf(o.locale, defaultLocale).andThen((locale) =>
              templateOf(o.template).map((template) => ({
                o,
                phone,
                channel: channel as Channel,
                purpose,
                locale,
                template,
              })),
            ),
          ),
        ),
      ),
    );
    if (parsed.isErr()) return errAsync(parsed.error);
    const { o, phone, channel, purpose, locale, template } = parsed.value;
    const context = o.context as RequestContext | undefined;
    const pkey = phoneKey(ring, phone.number);
    const id = pkey + Buffer.from(random(16)).toString('base64url');
    const { code, digest } = newCode(id, purpose);
    const to = mask(phone.number);
    const sealed = seal(ring, phone.number, random(12));
    return transact(`phone:${pkey}`, at, (s) =>
      startTransition(s, { id, purpose, channel, digest, to, sealed }, at, policy),
    )
      .andThen((step) => sendResult(step, at, context, o.silent))
      .andThen((d) => {
        if (o.silent !== true)
          publish({
            type: 'verification.started',
            at,
            id,
            to,
            purpose,
            channel,
            ...(context ? { context } : {}),
          });
        return deliver(messageFor(d, phone.number, code, locale, template, at), {
          at,
          to,
          purpose,
          context,
          silent: o.silent,
        }).map(
          (messageId): StartResult => ({
            id,
            to,
            channel,
            purpose,
            expiresAt: d.verification.expiresAt,
            resendAvailableAt: d.resendAvailableAt,
            sendsLeft: d.sendsLeft,
            messageId,
          }),
        );
      });
  };

  const resend: Verifier['resend'] = (input) => {
    const at = now();
    const parsed = objectInput(input).andThen((o) =>
      idOf(o.id).andThen((id) =>
        channelOf(o.channel, undefined).andThen((channel) =>
          localeOf(o.locale, defaultLocale).andThen((locale) =>
            templateOf(o.template).map((template) => ({ o, id, channel, locale, template })),
          ),
        ),
      ),
    );
    if (parsed.isErr()) return errAsync(parsed.error);
    const { o, id, channel, locale, template } = parsed.value;
    const context = o.context as RequestContext | undefined;
    const code = generateCode(random, policy.codeLength, policy.alphabet);
    return transact(keyOfId(id), at, (s) => {
      const purpose = s.verifications.find((x) => x.id === id)?.purpose ?? '';
      const digest = codeDigest(ring.current, id, purpose, code);
      return resendTransition(s, { id, digest, ...(channel ? { channel } : {}) }, at, policy);
    })
      .andThen((step) => sendResult(step, at, context, o.silent))
      .andThen((d) => {
        const v = d.verification;
        const phone = unseal(ring, v.sealed);
        if (phone === undefined)
          return errAsync(
            verifyError('store_corrupt', {
              message: 'The stored number cannot be decrypted with the configured secrets.',
            }),
          );
        return deliver(messageFor(d, phone, code, locale, template, at), {
          at,
          to: v.to,
          purpose: v.purpose,
          context,
          silent: o.silent,
        }).map(
          (messageId): StartResult => ({
            id,
            to: v.to,
            channel: v.channel,
            purpose: v.purpose,
            expiresAt: v.expiresAt,
            resendAvailableAt: d.resendAvailableAt,
            sendsLeft: d.sendsLeft,
            messageId,
          }),
        );
      });
  };

  const check: Verifier['check'] = (input) => {
    const at = now();
    const parsed = objectInput(input).andThen((o) => {
      const code = normalizeCodeInput(o.code, policy.codeLength, policy.alphabet);
      if (code === undefined)
        return bad(`\`code\` must be ${policy.codeLength} characters of the code alphabet.`);
      if (o.id !== undefined) {
        return idOf(o.id).map((id) => ({
          o,
          code,
          key: keyOfId(id),
          target: { id } as CheckTarget,
          phone: undefined as string | undefined,
        }));
      }
      return phoneOf(o.phone).andThen((phone) =>
        purposeOf(o.purpose).map((purpose) => ({
          o,
          code,
          key: `phone:${phoneKey(ring, phone.number)}`,
          target: { purpose } as CheckTarget,
          phone: phone.number as string | undefined,
        })),
      );
    });
    if (parsed.isErr()) return errAsync(parsed.error);
    const { o, code, key, target } = parsed.value;
    const context = o.context as RequestContext | undefined;
    const emit = silentOr(o.silent);
    return transact(key, at, (s) =>
      checkTransition(
        s,
        target,
        (v) => codeMatches(ring, v.digest, v.id, v.purpose, code),
        at,
        policy,
      ),
    ).andThen((step) => {
      const d = step.decision;
      const v = d.isOk() ? d.value : undefined;
      const targeted = findTarget(step.state, target);
      const to = v?.to ?? targeted?.to ?? '';
      const ctx = context ? { context } : {};
      if (o.silent !== true) publishCore(publish, step.events, { to, context });
      if (d.isErr()) {
        if (d.error.code === 'code_mismatch') {
          const id = targeted?.id;
          emit({
            type: 'verification.check_failed',
            at,
            attemptsLeft: d.error.attemptsLeft ?? 0,
            to,
            ...(id ? { id } : {}),
            ...ctx,
          });
        }
        return err(refusalError(d.error, at));
      }
      const approved = d.value;
      const phone = parsed.value.phone ?? unseal(ring, approved.sealed);
      if (phone === undefined)
        return err(
          verifyError('store_corrupt', {
            message: 'The stored number cannot be decrypted with the configured secrets.',
          }),
        );
      emit({
        type: 'verification.approved',
        at,
        id: approved.id,
        to: approved.to,
        purpose: approved.purpose,
        ...ctx,
      });
      return ok<CheckResult, VerifyError>({
        status: 'approved',
        id: approved.id,
        phone,
        to: approved.to,
        purpose: approved.purpose,
        verifiedAt: at,
      });
    });
  };

  const cancel: Verifier['cancel'] = (input) => {
    const at = now();
    const parsed = objectInput(input).andThen((o) => idOf(o.id).map((id) => ({ o, id })));
    if (parsed.isErr()) return errAsync(parsed.error);
    const { o, id } = parsed.value;
    return transact(keyOfId(id), at, (s) => cancelTransition(s, id, at, policy)).andThen((step) => {
      const to = step.state.verifications.find((x) => x.id === id)?.to ?? '';
      if (o.silent !== true)
        publishCore(publish, step.events, { to, context: o.context as RequestContext | undefined });
      return step.decision
        .map((status): CancelResult => ({ id, status }))
        .mapErr((r) => refusalError(r, at));
    });
  };

  const status: Verifier['status'] = (input) => {
    const at = now();
    const parsed = objectInput(input).andThen((o) => idOf(o.id));
    if (parsed.isErr()) return errAsync(parsed.error);
    const id = parsed.value;
    return read(keyOfId(id)).andThen((state) =>
      viewVerification(state, id, at, policy)
        .mapErr((r) => refusalError(r, at))
        .map((view): StatusResult => {
          const v = view.verification;
          return {
            id,
            status: v.status,
            to: v.to,
            channel: v.channel,
            purpose: v.purpose,
            attemptsLeft: view.attemptsLeft,
            sendsLeft: view.sendsLeft,
            createdAt: v.createdAt,
            expiresAt: v.expiresAt,
            resendAvailableAt: view.resendAvailableAt,
            failedVerifications: view.failures,
            lockedUntil: view.lockedUntil > at ? view.lockedUntil : null,
          };
        }),
    );
  };

  return { start, check, resend, cancel, status };
}
