/**
 * The shapes of the abuse budgets' store records: one per requester key, prefix, country,
 * the global budget, and the conversion guard. Each is a small JSON value tagged with its kind
 * (`k`) and version (`v`); ./records.ts decodes and writes them. @internal
 * @module
 */
import type { Buckets, DistinctLog } from './window';

/** Budgets of one requester key (IP group, device, user). */
export interface RequesterRecord {
  readonly v: 1;
  readonly k: 'req';
  /** Distinct destinations (phone tags) with their last send time. */
  readonly d: DistinctLog;
  /** Sends, one bucket list per configured limit. */
  readonly s: readonly Buckets[];
  /** Checks, one bucket list per configured limit. */
  readonly c: readonly Buckets[];
}

/** Unverified numbers recently messaged in one prefix. */
export interface PrefixRecord {
  readonly v: 1;
  readonly k: 'pfx';
  readonly d: DistinctLog;
}

/** Messages to one country in the rolling hour. */
export interface CountryRecord {
  readonly v: 1;
  readonly k: 'cc';
  readonly n: Buckets;
}

/** The global budget: messages and cost (millionths) in the rolling day. */
export interface GlobalRecord {
  readonly v: 1;
  readonly k: 'global';
  readonly n: Buckets;
  readonly c: Buckets;
  /** When a budget warning was last published, per unit (0: never). */
  readonly wn: number;
  readonly wc: number;
}

/** The conversion guard of one prefix or country: a small circuit breaker. */
export interface ConversionRecord {
  readonly v: 1;
  readonly k: 'conv';
  /** `[bucketStart, verifications started, approvals]`, ascending. */
  readonly b: ReadonlyArray<readonly [number, number, number]>;
  /** End of the current pause (0: none). */
  readonly until: number;
  /** Consecutive pauses not yet cleared by a healthy sample (drives pause growth and probing). */
  readonly pauses: number;
  /** When the last pause began (0: never). */
  readonly trippedAt: number;
  /**
   * Prefix records only, when a prefix limit has the guard's trailing digits: that limit's
   * unverified numbers (as `PrefixRecord.d`), kept here so that a start and an approval
   * update one record. Absent in records written before the merge (see `prefixGuardSend`).
   */
  readonly d?: DistinctLog;
  /**
   * Unconverted starts by requester: `[requesterTag + phoneTag, at]` (6 + 6 characters, see
   * `conversionRequester`), an approval removing its number's entries; the newest
   * `requesterCap` entries within the window, counted since the last pause. A pause needs
   * `minRequesters` distinct requesters among them. Absent when empty.
   */
  readonly u?: DistinctLog;
  /**
   * The requesters that tripped the current pauses (6-character tags, at most
   * `requesterCap`): they take no probe. Cleared when the guard closes. Absent when empty.
   */
  readonly ex?: readonly string[];
}

/** A conversion record with nothing counted. */
export const emptyConversion: ConversionRecord = {
  v: 1,
  k: 'conv',
  b: [],
  until: 0,
  pauses: 0,
  trippedAt: 0,
};

export type AbuseRecord =
  | RequesterRecord
  | PrefixRecord
  | CountryRecord
  | GlobalRecord
  | ConversionRecord;
