/**
 * The verifier's shared machinery: configuration resolved once, atomic transactions over
 * the Store port, delivery through the Sender port, event publishing. @internal
 * @module
 */
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { attempt, resultPromise } from '../async';
import type { RandomBytes } from '../codes';
import { type Policy, resolvePolicy } from '../core/policy';
import type { Refusal, Step } from '../core/refusal';
import { CorruptRecordError, type PhoneState } from '../core/state';
import { assertPolicyFloor } from '../core/strength';
import { secondsUntil, type VerifyError, verifyError } from '../errors';
import { defaultRenderer, type MessageRenderer } from '../messages/render';
import { maskPhone, normalizePhone } from '../phone';
import type { OutgoingMessage, Sender, SendOutcome } from '../ports/sender';
import type { Store } from '../ports/store';
import { isStoreSchemaError } from '../ports/store-schema';
import { randomPool } from '../random';
import { type Keyring, keyring } from '../secrets';
import { CLOCK_BOUND_MS, LOCAL_CLOCK, type StoreClock, storeClock } from './clock';
import { allowedCountriesOf } from './countries';
import { type Publish, publisher, silent } from './events';
import { emptyHooks, type Hooks, type SendRequest } from './hooks';
import { eventRef } from './ids';
import { localeOf } from './input';
import { phoneParser, type ShellPhone } from './phones';
import { recordCodec } from './records';
import type { RequestContext, VerifierOptions } from './types';

/** Everything the operations share. */
export interface Shell {
  readonly ring: Keyring;
  readonly policy: Policy;
  readonly store: Store;
  readonly sender: Sender;
  /** The clock every decision uses: the injected `now`, else the store's (estimated). */
  readonly now: () => number;
  /**
   * Resolves once `now` can be trusted: immediately with an injected `now` or a store
   * without `time`; else once the store's clock is estimated within the bound, or
   * `store_unavailable` when it cannot be. Every public operation awaits it first.
   */
  clockReady(): Promise<Result<void, VerifyError>>;
  readonly random: RandomBytes;
  readonly render: MessageRenderer;
  readonly appName: string;
  readonly defaultLocale: string;
  readonly publish: Publish;
  readonly hooks: Hooks;
  mask(e164: string): string;
  /** Keeps recently parsed numbers for `phoneOf` (for features that parse an input twice). */
  keepParsedPhones(): void;
  /** Normalizes, applies the allowed-countries list and masks. */
  phoneOf(x: unknown): Result<ShellPhone, VerifyError>;
  /** Runs a pure transition through the store's atomic update; throws become values. */
  transact<T>(
    key: string,
    at: number,
    f: (s: PhoneState) => Step<T>,
  ): ResultAsync<Step<T>, VerifyError>;
  /** `transact` as a native promise, for the operations written as async functions. */
  transactP<T>(
    key: string,
    at: number,
    f: (s: PhoneState) => Step<T>,
  ): Promise<Result<Step<T>, VerifyError>>;
  /** Reads and decodes a phone record (one round trip). */
  read(key: string): ResultAsync<PhoneState, VerifyError>;
  /**
   * Sends a message once; publishes `sent` / `delivery_failed`. Resolves with the sender's
   * outcome (failures included); only a sender that throws gives `delivery_failed`.
   */
  sendOutcome(message: OutgoingMessage, meta: DeliveryMeta): ResultAsync<SendOutcome, VerifyError>;
  /** `sendOutcome` as a native promise. */
  sendOutcomeP(
    message: OutgoingMessage,
    meta: DeliveryMeta,
  ): Promise<Result<SendOutcome, VerifyError>>;
  /** Delivers a message; publishes `sent` / `delivery_failed`. Resolves with the message id. */
  deliver(message: OutgoingMessage, meta: DeliveryMeta): ResultAsync<string, VerifyError>;
  /** Runs every `beforeSend` guard in order; the first refusal wins. */
  guard(req: SendRequest): ResultAsync<void, VerifyError>;
  /** `guard` as a native promise. */
  guardP(req: SendRequest): Promise<Result<void, VerifyError>>;
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

/** `Shell.clockReady` when nothing needs waiting for (an injected `now`, or no store clock). */
export const readyNow = (): Promise<Result<void, VerifyError>> => Promise.resolve(ok(undefined));

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
  if (isStoreSchemaError(e)) {
    // Not an outage: the tables are missing. The message (for logs; HTTP answers send the
    // catalog's) names the fix.
    return verifyError('store_unavailable', {
      message: `The verification store is not set up: ${e.message}`,
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
  assertPolicyFloor(policy, options.unsafe);
  const defaultLocale = localeOf(options.defaultLocale, 'en');
  if (defaultLocale.isErr())
    throw new TypeError('phoneproof: `defaultLocale` is not a BCP 47 tag.');
  const defaultCountry = options.defaultCountry;
  if (defaultCountry !== undefined && normalizePhone('+12133734253', { defaultCountry }).isErr()) {
    throw new TypeError(`phoneproof: unknown defaultCountry "${defaultCountry}".`);
  }
  const allowed = allowedCountriesOf(options);
  const maskVisible = options.maskVisible ?? 2;
  const publish = publisher(options.onEvent, (id) => eventRef(ring, id));
  const hooks = emptyHooks();

  const { decode, writeOf } = recordCodec(policy);
  const phones = phoneParser({ defaultCountry, allowed, maskVisible });
  const phoneOf = phones.phoneOf;

  const sendOutcomeP: Shell['sendOutcomeP'] = (message, meta) => {
    const published = (outcome: SendOutcome): Result<SendOutcome, VerifyError> => {
      if (meta.silent === true || publish === silent) return ok(outcome);
      const base = {
        at: meta.at,
        id: message.verificationId,
        to: meta.to,
        purpose: meta.purpose,
        ...(meta.context ? { context: meta.context } : {}),
      };
      if (outcome.ok) {
        const provider = outcome.provider ? { provider: outcome.provider } : {};
        publish({
          type: 'verification.sent',
          channel: message.channel,
          messageId: outcome.messageId,
          ...provider,
          ...base,
        });
      } else {
        const { reason, kind } = outcome.error;
        publish({
          type: 'verification.delivery_failed',
          channel: message.channel,
          reason,
          kind,
          ...base,
        });
      }
      return ok(outcome);
    };
    return resultPromise(
      () => sender.send(message),
      published,
      (e) => verifyError('delivery_failed', { cause: e }),
    );
  };

  const transactP = <T>(key: string, at: number, f: (s: PhoneState) => Step<T>) =>
    resultPromise<Step<T>, Step<T>, VerifyError>(
      () =>
        store.update(key, (raw) => {
          const step = f(decode(key, raw));
          return step.changed
            ? { result: step, write: writeOf(key, step.state, at) }
            : { result: step };
        }),
      (step) => ok(step),
      storeError,
    );

  const guards = hooks.beforeSend;
  const guardP: Shell['guardP'] = async (req) => {
    for (const g of guards) {
      const r = await g(req);
      if (r.isErr()) return r;
    }
    return ok(undefined);
  };

  const clock = decisionClock(options, store);

  return {
    ring,
    policy,
    store,
    sender,
    now: clock ? clock.now : (options.now ?? Date.now),
    clockReady: clock
      ? () => clock.ready().then((good) => (good ? ok(undefined) : err(clockUnavailable())))
      : readyNow,
    random: options.randomBytes ?? randomPool(),
    render: options.messages ?? defaultRenderer,
    appName: options.appName ?? 'phoneproof',
    defaultLocale: defaultLocale.value,
    publish,
    hooks,
    mask: (e164) => maskPhone(e164, { visible: maskVisible }),
    phoneOf,
    keepParsedPhones: phones.keep,
    transact: (key, at, f) => new ResultAsync(transactP(key, at, f)),
    transactP,
    read: (key) =>
      attempt(() => store.get(key), storeError).andThen((raw) => {
        try {
          return ok(decode(key, raw));
        } catch (e) {
          return err(storeError(e));
        }
      }),
    sendOutcome: (message, meta) => new ResultAsync(sendOutcomeP(message, meta)),
    sendOutcomeP,
    deliver: (message, meta) => new ResultAsync(sendOutcomeP(message, meta)).andThen(outcomeResult),
    guard: (req) => new ResultAsync(guardP(req)),
    guardP,
    emitter: (quiet) => (quiet === true ? silent : publish),
  };
}

/**
 * The store-clock estimator, when decisions run on the store's clock: the app injected no
 * `now` and the store tells its time. Otherwise undefined (the injected `now`, or
 * `Date.now` for a store without `time`, such as the in-process memory store).
 */
function decisionClock(options: VerifierOptions, store: Store): StoreClock | undefined {
  if (options.now !== undefined || typeof store.time !== 'function') return undefined;
  const seam = (options as { [LOCAL_CLOCK]?: unknown })[LOCAL_CLOCK];
  return storeClock({
    time: () => (store.time as () => Promise<number>).call(store),
    ...(typeof seam === 'function' ? { local: seam as () => number } : {}),
  });
}

const clockUnavailable = (): VerifyError =>
  verifyError('store_unavailable', {
    cause: new Error(
      `phoneproof: the store's clock could not be read within ±${CLOCK_BOUND_MS} ms; no time-based decision is made on an unknown clock.`,
    ),
  });
