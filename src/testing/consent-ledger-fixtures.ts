/**
 * Shared pieces of the ConsentLedger contract's tests: the chain key, drafts and helpers
 * that append through the real chain code and verify what the ledger returns. @internal
 * @module
 */
import { type ConsentDraft, chainEntry, chainKey, checkChain } from '../consent/chain';
import type { ConsentEntry, ConsentLedger } from '../ports/consent-ledger';

/** What the ledger suite needs from an adapter's test file. */
export interface ConsentLedgerHarness {
  readonly ledger: ConsentLedger;
  /** Removes every record the suite wrote (called before each test). */
  reset(): Promise<void>;
  /** Releases connections (called once at the end). */
  close(): Promise<void>;
  /** Simulates someone with direct write access to the ledger's storage (raw SQL...). */
  readonly tamper: {
    /** Overwrites fields of one stored entry in place. */
    edit(
      phoneKey: string,
      seq: number,
      patch: Partial<Pick<ConsentEntry, 'text' | 'at' | 'kind' | 'ip' | 'version'>>,
    ): Promise<void>;
    /** Deletes one stored entry and nothing else (the anchor stays). */
    remove(phoneKey: string, seq: number): Promise<void>;
  };
}

/** The harness, filled in by the suite's `beforeAll`. */
export type Harness = () => ConsentLedgerHarness;

// A Uint8Array, not a Buffer: phoneproof/testing loads on runtimes without Node's globals.
export const KEY = chainKey(new Uint8Array(32).fill(7));
export const T0 = 1_893_456_000_123; // 2030, beyond 32-bit seconds: exercises bigint columns

export const optIn = (i: number, extra: Partial<ConsentDraft> = {}): ConsentDraft => ({
  kind: 'opted_in',
  at: T0 + i,
  source: 'web_form',
  text: `I agree to receive codes (${i}).`,
  version: String(1 + (i % 3)),
  ...extra,
});
export const optOut = (i: number): ConsentDraft => ({
  kind: 'opted_out',
  at: T0 + i,
  source: 'sms_keyword',
  keyword: 'STOP',
  text: ' stop! ',
});

/** Appends a draft; resolves with the entry written. */
export const add = (l: ConsentLedger, pk: string, d: ConsentDraft) =>
  l.append(pk, (head) => {
    const write = chainEntry(KEY, pk, head, d);
    return { result: write.entry, write };
  });

export const verify = async (l: ConsentLedger, pk: string) => checkChain(KEY, pk, await l.list(pk));
