/**
 * The verifier's shared machinery, `Shell`: the one I/O object every feature gets
 * (`FeatureIO`: store, sender, clock, randomness, events, keyring), plus what only the
 * operations use (message rendering, the send through the features' `send` hooks, the
 * decision clock's readiness). One async style: native promises of `Result`. @internal
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import { resultPromise } from '../async';
import type { Step } from '../core/refusal';
import type { PhoneState } from '../core/state';
import { type VerifyError, verifyError } from '../errors';
import { storeError } from '../feature/errors';
import { publisher, silent } from '../feature/events';
import type { FeatureIO } from '../feature/feature';
import {
  type Composed,
  composedKeys,
  composeRecords,
  type OperationRecords,
} from '../feature/records';
import { defaultRenderer, type MessageRenderer } from '../messages/render';
import { maskPhone } from '../phone';
import type { OutgoingMessage, SendOutcome } from '../ports/sender';
import type { Store } from '../ports/store';
import { randomPool } from '../random';
import { CLOCK_BOUND_MS, LOCAL_CLOCK, type StoreClock, storeClock } from './clock';
import { type Hooks, hooksOf, sendChain } from './hooks';
import { eventRef } from './ids';
import { coreOptions } from './options';
import { phoneParser } from './phones';
import { recordCodec } from './records';
import { type DeliveryMeta, sendPublished } from './sent';
import { type StartedIds, startedIds } from './started';

export type { DeliveryMeta };

import type { VerifierOptions } from './types';

/** Everything the operations share. */
export interface Shell extends FeatureIO {
  readonly defaultLocale: string;
  readonly render: MessageRenderer;
  /** How requesters' IPv6 addresses are grouped (`abuse.requesters.ipv6PrefixLength`). */
  readonly ipv6Prefix: number;
  /**
   * Resolves once `now` can be trusted: immediately with an injected `now` or a store
   * without `time`; else once the store's clock is estimated within the bound, or
   * `store_unavailable` when it cannot be. Undefined when there is nothing to wait for.
   */
  readonly clockReady: (() => Promise<Result<void, VerifyError>>) | undefined;
  /** Verification ids: opened, or kept from this verifier's recent starts. */
  readonly ids: StartedIds;
  /** Installs the features' hooks; called once, before any operation. */
  install(hooks: Hooks): void;
  /**
   * Sends a message once through the features' `send` hooks; publishes `sent` /
   * `delivery_failed`. Resolves with the outcome (failures included); only a sender that
   * throws gives `delivery_failed`.
   */
  sendOutcome(
    message: OutgoingMessage,
    meta: DeliveryMeta,
  ): Promise<Result<SendOutcome, VerifyError>>;
}

/** Resolves options into a shell; throws on misconfiguration. */
export function createShell(options: VerifierOptions): Shell {
  const core = coreOptions(options);
  const { ring, policy, store, sender } = core;
  const publish = publisher(options.onEvent, (id) => eventRef(ring, id));
  const { decode, writeOf } = recordCodec(policy);
  const phones = phoneParser(core);
  const clock = decisionClock(options, store);
  let send = sendChain(hooksOf([]), sender);
  const transact = transactor(store, decode, writeOf);
  return {
    ring,
    policy,
    store,
    sender,
    now: clock ? clock.now : (options.now ?? Date.now),
    clockReady: clock
      ? () => clock.ready().then((good) => (good ? ok(undefined) : err(clockUnavailable())))
      : undefined,
    random: options.randomBytes ?? randomPool(),
    render: options.messages ?? defaultRenderer,
    appName: options.appName ?? 'phoneproof',
    defaultLocale: core.defaultLocale,
    ipv6Prefix: core.ipv6Prefix,
    publish,
    ids: startedIds(ring),
    install(h) {
      send = sendChain(h, sender);
    },
    mask: (e164) => maskPhone(e164, { visible: core.maskVisible }),
    phoneOf: phones.phoneOf,
    keepParsedPhones: phones.keep,
    transact,
    async read(key) {
      try {
        return ok(decode(key, await store.get(key)));
      } catch (e) {
        return err(storeError(e));
      }
    },
    sendOutcome: (message, meta) => sendPublished(publish, send, message, meta),
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

/**
 * `transact`: a phone record's pure transition through `store.update`; with the features'
 * records, composed with them into one `store.updateMany` (see src/feature/records.ts).
 */
function transactor(
  store: Store,
  decode: ReturnType<typeof recordCodec>['decode'],
  writeOf: ReturnType<typeof recordCodec>['writeOf'],
): Shell['transact'] {
  return <T>(
    key: string,
    at: number,
    f: (s: PhoneState) => Step<T>,
    records?: readonly OperationRecords[],
  ) => {
    if (records === undefined || records.length === 0) {
      return resultPromise<Step<T>, Step<T>, VerifyError>(
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
    }
    const fn = composeRecords(records, (raw) => {
      const step = f(decode(key, raw));
      return {
        result: step,
        write: step.changed ? writeOf(key, step.state, at) : undefined,
        approved: step.decision.isOk(),
      };
    });
    // A feature that finds a record in an older layout asks once for the records it names.
    const write = async (tries: number): Promise<Result<Step<T>, VerifyError>> => {
      let c: Composed<Step<T>>;
      try {
        c = await store.updateMany(composedKeys(key, records), fn);
      } catch (e) {
        return err(storeError(e));
      }
      const more = records.filter((_, i) => c.decisions[i]?.again === true);
      if (more.length === 0 || tries === 0) return landed(records, c);
      for (const r of more) r.widen?.();
      return write(tries - 1);
    };
    return write(1);
  };
}

/** The features told what landed; the first refusal (feature order), else the step. */
function landed<T>(
  records: readonly OperationRecords[],
  c: Composed<Step<T>>,
): Result<Step<T>, VerifyError> {
  const approved = c.step?.decision.isOk() === true;
  let refusal: VerifyError | undefined;
  records.forEach((r, i) => {
    const e = r.done(c.decisions[i]!, approved);
    refusal ??= e;
  });
  if (refusal !== undefined || c.step === undefined) {
    return err(refusal ?? verifyError('store_unavailable'));
  }
  return ok(c.step);
}

const clockUnavailable = (): VerifyError =>
  verifyError('store_unavailable', {
    cause: new Error(
      `phoneproof: the store's clock could not be read within ±${CLOCK_BOUND_MS} ms; no time-based decision is made on an unknown clock.`,
    ),
  });
