/**
 * The ConsentLedger port: an append-only, per-phone list of consent entries plus one
 * anchor string per phone. The ledger holds no policy and computes no hash: the verifier
 * builds each entry (sequence number, link to the previous entry, keyed MAC) from the head
 * it is shown, exactly like a Store transition, and the ledger writes the entry and the new
 * anchor together, atomically. `test/contract/consent-ledger.ts` is the contract suite every
 * ledger must pass unchanged.
 *
 * Phones are identified by `phoneKey`, the keyed hash of the E.164 number the Store uses
 * (32 base64url characters): a ledger never sees a phone number.
 * @module
 */
import type { Channel } from './sender';

/** What an entry records. */
export type ConsentKind = 'opted_in' | 'opted_out';

/**
 * One consent entry, as built by the verifier. Optional fields that do not apply are
 * ABSENT (never `null` or `undefined` properties): a SQL ledger maps NULL columns back to
 * absent properties.
 */
export interface ConsentEntry {
  /** Position in the phone's chain: 1 for the first entry, then +1 per entry, no gaps. */
  readonly seq: number;
  readonly kind: ConsentKind;
  /** When it happened, epoch milliseconds (an integer). */
  readonly at: number;
  /** How it was given: `web_form`, `sms_keyword`, `api`, or an application's own label. */
  readonly source: string;
  /**
   * `opted_in` from a form or the API: the consent text the user saw, verbatim. From an SMS
   * keyword: the message received, verbatim.
   */
  readonly text?: string;
  /** Version of the consent text agreed to (`opted_in`), or revoked (`opted_out`). */
  readonly version?: string;
  /** Normalized keyword (`STOP`, `START`...) when the entry comes from an inbound SMS. */
  readonly keyword?: string;
  /**
   * The provider's id of the inbound message an entry comes from (Twilio `MessageSid`,
   * Vonage `messageId` / `message_uuid`): evidence the provider can confirm. Covered by `hash`.
   */
  readonly messageId?: string;
  /**
   * The channel the consent was given or withdrawn over (`sms`, `whatsapp`...), when known:
   * evidence, covered by `hash`. Absent in entries written before it existed, and when the
   * caller named none. Status stays per number: a STOP over any channel stops every channel.
   */
  readonly channel?: Channel;
  /** Personal fields: removed by `redact`, with `salt`. */
  readonly ip?: string;
  readonly userAgent?: string;
  /** Random salt of `personalDigest`; removed by `redact`. */
  readonly salt?: string;
  /** Digest of (salt, ip, userAgent), covered by `hash`: survives redaction. */
  readonly personalDigest?: string;
  /** Set by `redact`: epoch ms when the personal fields were erased. Not covered by `hash`. */
  readonly redactedAt?: number;
  /** `hash` of the previous entry of this phone; empty string for `seq` 1. */
  readonly prev: string;
  /** Keyed MAC over this entry's fields, `seq` and `prev` (base64url). */
  readonly hash: string;
}

/** The newest entry of a phone and its anchor, read together. Both absent: no history. */
export interface ConsentHead {
  /** The entry with the highest `seq`. */
  readonly entry?: ConsentEntry;
  /** The opaque anchor written with the newest entry (a keyed MAC over its seq and hash). */
  readonly anchor?: string;
}

/** A phone's whole history: every entry in `seq` order, and the anchor, read together. */
export interface ConsentChain {
  readonly entries: readonly ConsentEntry[];
  readonly anchor?: string;
}

/** What an append function asks the ledger to do after seeing the head. */
export interface ConsentAppend<T> {
  readonly result: T;
  /**
   * Omitted: write nothing (a read-only decision). Given: `entry.seq` must be the head's
   * `seq` + 1 (1 when there is no entry) and `anchor` replaces the phone's anchor.
   */
  readonly write?: { readonly entry: ConsentEntry; readonly anchor: string };
}

/**
 * Decides what to append from the current head. Pure and synchronous: the ledger may call
 * it again (with the newer head) when a concurrent append won the race.
 */
export type ConsentAppendFn<T> = (head: ConsentHead) => ConsentAppend<T>;

export interface ConsentLedger {
  /**
   * Atomically appends to the phone's chain what `fn` decides from the current head.
   *
   * - Atomicity: linearizable per phone. The entry and the anchor are written together or
   *   not at all, and only if no other append to `phoneKey` happened since the head `fn`
   *   saw (detect the conflict, e.g. a unique `(phone_key, seq)` or a compare-and-set on the
   *   anchor row, and call `fn` again with the new head).
   * - Rejects with a `RangeError` and writes nothing when `entry.seq` is not head `seq` + 1.
   * - Resolves with `fn`'s result once the write (if any) is durable.
   * - Rejects (driver error) when the ledger cannot be reached or the conflict does not
   *   resolve within the adapter's retry budget; nothing is written then. The verifier turns
   *   a rejection into `store_unavailable`. Errors thrown by `fn` propagate unchanged and
   *   nothing is written.
   */
  append<T>(phoneKey: string, fn: ConsentAppendFn<T>): Promise<T>;

  /**
   * The newest entry and the anchor, as one consistent snapshot (one statement or one
   * transaction). `{}` when the phone has no history. Rejects when unreachable.
   */
  head(phoneKey: string): Promise<ConsentHead>;

  /**
   * Every entry of the phone in ascending `seq` order, and the anchor, as one consistent
   * snapshot. `{ entries: [] }` when the phone has no history. Rejects when unreachable.
   */
  list(phoneKey: string): Promise<ConsentChain>;

  /**
   * Erases the personal fields (`ip`, `userAgent`, `salt`) of every entry of the phone that
   * still has any, and sets their `redactedAt` to `at` (epoch ms). Changes nothing else.
   * Resolves with the number of entries changed (0 when there was nothing to erase).
   */
  redact(phoneKey: string, at: number): Promise<number>;

  /**
   * Deletes the phone's whole chain and its anchor, atomically, only if its newest entry
   * still has `seq` `headSeq` (a compare-and-set: an append that landed since wins).
   * Resolves `true` when deleted, `false` when the head moved or there was nothing.
   */
  purge(phoneKey: string, headSeq: number): Promise<boolean>;
}
