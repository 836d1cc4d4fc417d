/**
 * The one shape of a verifier feature, the context each operation hands to it, and the one
 * I/O object features reach the outside world through.
 *
 * **A feature** is `{ name, hooks, api }`, built by a function `(options, io) => Feature`
 * that validates its options there and then (misconfiguration throws, once, at
 * construction). `createVerifier` builds the list of features in a fixed order (clock gate,
 * abuse defenses, consent, test numbers, proofs) and installs their hooks; no feature
 * rewrites the options, replaces the sender or wraps an operation.
 *
 * **Named points of an operation** (`FeatureHooks`), in the order an operation reaches them:
 * - `beforeOperation`: every public operation, first (the decision clock's gate);
 * - `presetCode`: `start` / `resend`, before a code is drawn (test numbers' fixed codes);
 * - `beforeSend`: `start` / `resend`, before the transition; refuses with an error, or allows
 *   with a `SendTicket`: a replayed answer, the feature's `records` (its share of the
 *   operation's one atomic write, `./records`: budgets decided and reserved with the
 *   verification, all or nothing), or a `settle` told how the operation ended (reservations
 *   given back, a result kept for idempotency);
 * - `send`: around the sender call itself, where a message leaves (consent's last ledger
 *   read, test numbers' no-message); each hook calls `next` to go on, or answers instead;
 * - `beforeCheck`: `check`, before the transition; refuses, or allows with a `CheckTicket`
 *   whose `records` join the check's one write (requester check budgets, and the approval
 *   bookkeeping, written only if the check approves);
 * - `afterApprove`: `check`, after an approval (proof token, held re-opt-in; conversion
 *   bookkeeping the check's write could not hold).
 * "Before" points and `send` run in the order of the feature list (the first refusal wins);
 * "after" points (`afterApprove`, a ticket's `settle`) in reverse: the feature listed first
 * sees an operation first and its end last.
 *
 * **One context per operation** (`SendContext`, `CheckContext`): built once by the operation
 * with one timestamp (`at`), the parsed number (`start`, `check` by phone) or the phone key
 * the opaque id carries (`resend`, `check` by id: no parse and no HMAC of the number, which
 * is decrypted once, for the answer, unless this process started it), and the requester
 * identity derived once (`./requester`).
 *
 * **One I/O object** (`FeatureIO`): store, sender, clock, randomness, events, keyring. A
 * feature imports from `src/feature/`, `src/core/`, `src/ports/` and its own folder, never
 * from `src/verifier/`.
 * @module
 */
import type { Result } from 'neverthrow';
import type { RandomBytes } from '../codes';
import type { Policy } from '../core/policy';
import type { Step } from '../core/refusal';
import type { PhoneState } from '../core/state';
import type { VerifyError } from '../errors';
import type { ParsedPhone } from '../phone';
import type { Channel, OutgoingMessage, Sender, SendOutcome } from '../ports/sender';
import type { Store } from '../ports/store';
import type { Keyring } from '../secrets';
import type { Publish } from './events';
import type { CheckResult, RequestContext, StartResult } from './operation-types';
import type { OperationRecords } from './records';
import { type Requester, requesterOf } from './requester';

/** A parsed number as operations hold it: E.164, country, calling code, masked. */
export type PhoneNumber = ParsedPhone & { readonly masked: string };

/** The I/O every feature reaches the world through (one object per verifier). */
export interface FeatureIO {
  readonly ring: Keyring;
  readonly policy: Policy;
  readonly store: Store;
  /** The sender (features never call it: they hook into `send`). */
  readonly sender: Sender;
  /** The one clock every decision uses: the injected `now`, else the store's. */
  readonly now: () => number;
  readonly random: RandomBytes;
  /** Events: publishes to `onEvent` (a listener's failure never fails an operation). */
  readonly publish: Publish;
  readonly appName: string;
  /** `publish`, or a no-op for a silent call. */
  emitter(silent: unknown): Publish;
  mask(e164: string): string;
  /** Normalizes, applies the allowed countries and masks. */
  phoneOf(x: unknown): Result<PhoneNumber, VerifyError>;
  /** Keeps recently parsed numbers (for a feature that parses the number of a later call). */
  keepParsedPhones(): void;
  /**
   * Runs a pure transition of a phone record through the store's atomic update; with the
   * features' `records` (their share of the operation, `./records`), all of them in one
   * atomic `updateMany`. A feature's refusal answers its error (the transition then did not
   * run).
   */
  transact<T>(
    key: string,
    at: number,
    f: (s: PhoneState) => Step<T>,
    records?: readonly OperationRecords[],
  ): Promise<Result<Step<T>, VerifyError>>;
  /** Reads and decodes a phone record. */
  read(key: string): Promise<Result<PhoneState, VerifyError>>;
}

/** What every operation's context holds. */
export interface OperationBase {
  /** The operation's one timestamp, epoch ms. */
  readonly at: number;
  /** The raw input, for features that read their own fields (`consent`, `idempotencyKey`). */
  readonly input: Readonly<Record<string, unknown>>;
  readonly silent: boolean;
  readonly context: RequestContext | undefined;
  /** Who calls, derived once (`./requester`). */
  readonly requester: Requester;
  /** The number's keyed hash (from the parse, or carried by the id). */
  readonly phoneKey: string;
}

/**
 * The part of an operation's context every operation builds alike, from its input object:
 * the one timestamp, `silent`, the caller's `context` and the requester identity derived
 * once from it (IPv6 grouped by `ipv6Prefix` for the budgets; the binding by /64).
 */
export function operationBase(
  input: Readonly<Record<string, unknown>>,
  at: number,
  ipv6Prefix: number,
): Omit<OperationBase, 'phoneKey'> {
  return {
    at,
    input,
    silent: input.silent === true,
    context: input.context as RequestContext | undefined,
    requester: requesterOf(input.context, ipv6Prefix),
  };
}

/** A `start` or `resend` about to send. */
export interface SendContext extends OperationBase {
  readonly op: 'start' | 'resend';
  /** The verification's id (known on `start` before anything is written). */
  readonly id: string;
  /** The parsed number: on `start` (a `resend` carries only the phone key). */
  readonly phone?: PhoneNumber;
  /** The channel asked for (on `resend` only when the input names one). */
  readonly channel?: Channel;
  readonly purpose?: string;
}

/** A `check`. */
export interface CheckContext extends OperationBase {
  readonly op: 'check';
  /** The verification's id, when the check names one. */
  readonly id?: string;
  /** The parsed number, when the check names the phone instead of an id. */
  readonly phone?: PhoneNumber;
}

/** What a `beforeSend` hook lets through with. */
export interface SendTicket {
  /** An answer to give instead of running the operation (an idempotent replay). */
  readonly replay?: StartResult;
  /** The feature's share of the operation's one atomic write (see `./records`). */
  readonly records?: OperationRecords;
  /**
   * Told how the operation ended, once every later hook and the send are done (or a later
   * `beforeSend` hook refused). May answer an error that replaces a refusal's (a budget
   * decided only then, which ranks before the later hook's refusal).
   */
  readonly settle?: (outcome: Result<StartResult, VerifyError>) => Promise<VerifyError | undefined>;
}

/** What a `beforeCheck` hook lets through with. */
export interface CheckTicket {
  /** The feature's share of the check's one atomic write (see `./records`). */
  readonly records?: OperationRecords;
}

/** The rest of the `send` chain (the next hook, then the sender). */
export type SendNext = (message: OutgoingMessage) => Promise<SendOutcome>;

/** The named points of an operation a feature may hook into (see the module doc). */
export interface FeatureHooks {
  readonly beforeOperation?: () => Promise<Result<void, VerifyError>>;
  readonly presetCode?: (ctx: SendContext) => string | undefined;
  /** May answer synchronously (nothing to wait for): the hot path then awaits nothing. */
  readonly beforeSend?: (
    ctx: SendContext,
  ) =>
    | Result<SendTicket | undefined, VerifyError>
    | PromiseLike<Result<SendTicket | undefined, VerifyError>>;
  readonly send?: (message: OutgoingMessage, at: number, next: SendNext) => Promise<SendOutcome>;
  /** May answer synchronously; undefined when it has nothing to add. */
  readonly beforeCheck?: (
    ctx: CheckContext,
  ) =>
    | Result<CheckTicket | undefined, VerifyError>
    | PromiseLike<Result<CheckTicket | undefined, VerifyError>>
    | undefined;
  readonly afterApprove?: (
    result: CheckResult,
    ctx: CheckContext,
  ) => Result<CheckResult, VerifyError> | PromiseLike<Result<CheckResult, VerifyError>>;
}

/** A verifier feature. `Api` is what it adds to the verifier (`verifier.consent`...). */
export interface Feature<Api = undefined> {
  readonly name: string;
  readonly hooks: FeatureHooks;
  readonly api: Api;
}
