/**
 * The consent ledger as the verifier uses it: every read is verified against the anchor,
 * every append chains onto a verified head, and failures become catalog errors
 * (`store_unavailable` when the ledger is unreachable, `store_corrupt` when it was
 * tampered with). @internal
 * @module
 */
import { err, ok, type Result, ResultAsync } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';
import type { ConsentChain, ConsentEntry, ConsentLedger } from '../ports/consent-ledger';
import { isStoreSchemaError } from '../ports/store-schema';
import {
  type ChainProblem,
  type ChainVerdict,
  type ConsentDraft,
  chainEntry,
  checkChain,
  checkHead,
} from './chain';

/** Thrown inside an append to abort it when the head fails verification. */
export class ConsentTamperedError extends Error {
  constructor(
    readonly seq: number,
    readonly problem: ChainProblem,
  ) {
    super(`consent history failed verification at entry ${seq} (${problem})`);
    this.name = 'ConsentTamperedError';
  }
}

export function ledgerError(e: unknown): VerifyError {
  if (e instanceof ConsentTamperedError) {
    return verifyError('store_corrupt', {
      message: `The consent history of this number was altered outside phoneproof: ${e.message}.`,
      cause: e,
    });
  }
  if (isStoreSchemaError(e)) {
    return verifyError('store_unavailable', {
      message: `The consent ledger is not set up: ${e.message}`,
      cause: e,
    });
  }
  return verifyError('store_unavailable', {
    message: 'The consent ledger is unavailable. Try again shortly.',
    cause: e,
  });
}

export interface Appended {
  /** The entry written, when the decision wrote one. */
  readonly written?: ConsentEntry;
  /** The newest entry after the append. */
  readonly last?: ConsentEntry;
}

export interface Book {
  /** The newest entry, verified (with the anchor) before it is trusted. */
  head(phoneKey: string): ResultAsync<ConsentEntry | undefined, VerifyError>;
  /**
   * Reads the newest entry like `head` and runs `then` on it in the same turn as the ledger's
   * answer, for the re-check right before delivery: the sender is called with no turn in
   * between in which an opt-out could land unseen.
   */
  headThen<T>(
    phoneKey: string,
    then: (head: Result<ConsentEntry | undefined, VerifyError>) => T | PromiseLike<T>,
  ): Promise<T>;
  /** Appends what `decide` returns for the verified newest entry (nothing for undefined). */
  append(
    phoneKey: string,
    decide: (last: ConsentEntry | undefined) => ConsentDraft | undefined,
  ): ResultAsync<Appended, VerifyError>;
  list(phoneKey: string): ResultAsync<ConsentChain, VerifyError>;
  verify(phoneKey: string, chain: ConsentChain): ChainVerdict;
  redact(phoneKey: string, at: number): ResultAsync<number, VerifyError>;
  purge(phoneKey: string, headSeq: number): ResultAsync<boolean, VerifyError>;
}

export function consentBook(ledger: ConsentLedger, key: Uint8Array): Book {
  const call = <A extends unknown[], T>(f: (...a: A) => Promise<T>) =>
    ResultAsync.fromThrowable(f, ledgerError);
  const verified = (phoneKey: string, head: Parameters<typeof checkHead>[2]) => {
    const p = checkHead(key, phoneKey, head);
    if (p) throw new ConsentTamperedError(p.seq, p.problem);
    return head.entry;
  };
  return {
    head: (phoneKey) => call(async (pk: string) => verified(pk, await ledger.head(pk)))(phoneKey),
    headThen: (phoneKey, then) => {
      let pending: Promise<Parameters<typeof checkHead>[2]>;
      try {
        // Promise.resolve: a ledger may answer with a plain value (a synchronous in-memory one).
        pending = Promise.resolve(ledger.head(phoneKey));
      } catch (e) {
        return Promise.resolve(then(err(ledgerError(e))));
      }
      return pending.then(
        (h) => {
          let entry: ConsentEntry | undefined;
          try {
            entry = verified(phoneKey, h);
          } catch (e) {
            return then(err(ledgerError(e)));
          }
          return then(ok(entry));
        },
        (e: unknown) => then(err(ledgerError(e))),
      );
    },
    append: (phoneKey, decide) =>
      call((pk: string) =>
        ledger.append<Appended>(pk, (head) => {
          const last = verified(pk, head);
          const draft = decide(last);
          if (!draft) return { result: last ? { last } : {} };
          const write = chainEntry(key, pk, head, draft);
          return { result: { written: write.entry, last: write.entry }, write };
        }),
      )(phoneKey),
    list: (phoneKey) => call((pk: string) => ledger.list(pk))(phoneKey),
    verify: (phoneKey, chain) => checkChain(key, phoneKey, chain),
    redact: (phoneKey, at) => call((pk: string, t: number) => ledger.redact(pk, t))(phoneKey, at),
    purge: (phoneKey, seq) => call((pk: string, s: number) => ledger.purge(pk, s))(phoneKey, seq),
  };
}
