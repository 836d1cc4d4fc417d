/**
 * The verifier's shared machinery: configuration resolved once, atomic transactions over
 * the Store port, delivery through the Sender port, event publishing. @internal
 * @module
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { err, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import type { RandomBytes } from '../codes';
import { type Policy, resolvePolicy } from '../core/policy';
import type { Refusal, Step } from '../core/refusal';
import { recordTtl } from '../core/settle';
import { CorruptRecordError, decodeState, encodeState, type PhoneState } from '../core/state';
import { secondsUntil, type VerifyError, verifyError } from '../errors';
import { defaultRenderer, type MessageRenderer } from '../messages/render';
import { maskFormatted, maskPhone, normalizePhone, type ParsedPhone, parsePhone } from '../phone';
import type { OutgoingMessage, Sender, SendOutcome } from '../ports/sender';
import type { Store, StoreWrite } from '../ports/store';
import { type Keyring, keyring } from '../secrets';
import { type Publish, publisher } from './events';
import { emptyHooks, type Hooks, type SendRequest } from './hooks';
import { localeOf } from './input';
import type { RequestContext, VerifierOptions } from './types';

/** Everything the operations share. */
export interface Shell {
  readonly ring: Keyring;
  readonly policy: Policy;
  readonly store: Store;
  readonly sender: Sender;
  readonly now: () => number;
  readonly random: RandomBytes;
  readonly render: MessageRenderer;
  readonly appName: string;
  readonly defaultLocale: string;
  readonly publish: Publish;
  readonly hooks: Hooks;
  mask(e164: string): string;
  /** Normalizes, applies the allowed-countries list and masks. */
  phoneOf(x: unknown): Result<ParsedPhone & { readonly masked: string }, VerifyError>;
  /** Runs a pure transition through the store's atomic update; throws become values. */
  transact<T>(
    key: string,
    at: number,
    f: (s: PhoneState) => Step<T>,
  ): ResultAsync<Step<T>, VerifyError>;
  /** Reads and decodes a phone record (one round trip). */
  read(key: string): ResultAsync<PhoneState, VerifyError>;
  /**
   * Sends a message once; publishes `sent` / `delivery_failed`. Resolves with the sender's
   * outcome (failures included); only a sender that throws gives `delivery_failed`.
   */
  sendOutcome(message: OutgoingMessage, meta: DeliveryMeta): ResultAsync<SendOutcome, VerifyError>;
  /** Delivers a message; publishes `sent` / `delivery_failed`. Resolves with the message id. */
  deliver(message: OutgoingMessage, meta: DeliveryMeta): ResultAsync<string, VerifyError>;
  /** Runs every `beforeSend` guard in order; the first refusal wins. */
  guard(req: SendRequest): ResultAsync<void, VerifyError>;
  /** `publish`, or a no-op for a silent call. */
  emitter(silent: unknown): Publish;
}

export interface DeliveryMeta {
  readonly at: number;
  readonly to: string;
  readonly purpose: string;
  readonly context: RequestContext | undefined;
  readonly silent: unknown;
}

/** Maps a core refusal to a catalog error with seconds to wait. */
export function refusalError(r: Refusal, now: number): VerifyError {
  return verifyError(r.code, {
    ...(r.retryAt !== undefined ? { retryAfter: secondsUntil(r.retryAt, now) } : {}),
    ...(r.attemptsLeft !== undefined ? { attemptsLeft: r.attemptsLeft } : {}),
    ...(phoneScoped.has(r.code) ? { scope: 'phone' as const } : {}),
  });
}

/** Core refusals that are limits on one phone (`VerifyError.scope: 'phone'`). */
const phoneScoped = new Set<string>([
  'locked',
  'send_limit_reached',
  'resend_too_soon',
  'max_attempts_reached',
]);

/** A store failure as a value: corrupt records are told apart from an unreachable store. */
export function storeError(e: unknown): VerifyError {
  if (e instanceof CorruptRecordError) {
    return verifyError('store_corrupt', {
      message: `${verifyError('store_corrupt').message} ${e.message}.`,
      cause: e,
    });
  }
  return verifyError('store_unavailable', { cause: e });
}

/** A send outcome as the operation's result: the message id, or the catalog error. */
export function outcomeResult(outcome: SendOutcome): Result<string, VerifyError> {
  if (outcome.ok) return ok(outcome.messageId);
  // The consent feature re-reads the ledger right before delivery; an opt-out that
  // landed meanwhile stops the message and is reported as what it is.
  if (outcome.error.reason === 'opted_out') {
    return err(verifyError('opted_out', { cause: outcome.error }));
  }
  return err(
    verifyError('delivery_failed', { message: outcome.error.message, cause: outcome.error }),
  );
}

/** Resolves options into a shell; throws on misconfiguration. */
export function createShell(options: VerifierOptions): Shell {
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
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new TypeError('phoneproof: `now` must be a function returning epoch milliseconds.');
  }
  const policy = resolvePolicy(options.policy);
  const defaultLocale = localeOf(options.defaultLocale, 'en');
  if (defaultLocale.isErr())
    throw new TypeError('phoneproof: `defaultLocale` is not a BCP 47 tag.');
  const defaultCountry = options.defaultCountry;
  if (defaultCountry !== undefined && normalizePhone('+12133734253', { defaultCountry }).isErr()) {
    throw new TypeError(`phoneproof: unknown defaultCountry "${defaultCountry}".`);
  }
  const allowed = options.allowedCountries
    ? new Set(options.allowedCountries.map((c) => c.toUpperCase()))
    : undefined;
  const maskVisible = options.maskVisible ?? 2;
  const publish = publisher(options.onEvent);
  const hooks = emptyHooks();

  const writeOf = (state: PhoneState, at: number): StoreWrite => {
    const ttlMs = recordTtl(state, at, policy);
    return ttlMs > 0 ? { value: encodeState(state), ttlMs } : { delete: true };
  };

  const sendOutcome: Shell['sendOutcome'] = (message, meta) => {
    const emit = meta.silent === true ? () => {} : publish;
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
    )().map((outcome) => {
      if (outcome.ok) {
        const provider = outcome.provider ? { provider: outcome.provider } : {};
        emit({
          type: 'verification.sent',
          channel: message.channel,
          messageId: outcome.messageId,
          ...provider,
          ...base,
        });
      } else {
        const { reason, kind } = outcome.error;
        emit({
          type: 'verification.delivery_failed',
          channel: message.channel,
          reason,
          kind,
          ...base,
        });
      }
      return outcome;
    });
  };

  return {
    ring,
    policy,
    store,
    sender,
    now: options.now ?? Date.now,
    random: options.randomBytes ?? ((n: number) => nodeRandomBytes(n)),
    render: options.messages ?? defaultRenderer,
    appName: options.appName ?? 'phoneproof',
    defaultLocale: defaultLocale.value,
    publish,
    hooks,
    mask: (e164) => maskPhone(e164, { visible: maskVisible }),
    phoneOf: (x) =>
      parsePhone(x, defaultCountry ? { defaultCountry } : {}).andThen((p) =>
        allowed && !allowed.has(p.country)
          ? err(verifyError('country_not_allowed', { scope: 'country' }))
          : ok({
              ...p,
              masked: maskFormatted(p.international, p.callingCode.length + 1, maskVisible),
            }),
      ),
    transact: (key, at, f) =>
      ResultAsync.fromThrowable(
        () =>
          store.update(key, (raw) => {
            const step = f(decodeState(raw));
            return step.changed
              ? { result: step, write: writeOf(step.state, at) }
              : { result: step };
          }),
        storeError,
      )(),
    read: (key) =>
      ResultAsync.fromThrowable(() => store.get(key), storeError)().andThen((raw) => {
        try {
          return ok(decodeState(raw));
        } catch (e) {
          return err(storeError(e));
        }
      }),
    sendOutcome,
    deliver: (message, meta) => sendOutcome(message, meta).andThen(outcomeResult),
    guard: (req) =>
      hooks.beforeSend.reduce<ResultAsync<void, VerifyError>>(
        (acc, g) => acc.andThen(() => g(req)),
        okAsync(undefined),
      ),
    emitter: (silent) => (silent === true ? () => {} : publish),
  };
}
