/**
 * The consent hash chain: every entry carries a keyed MAC over its fields, its position and
 * the MAC of the previous entry of the same phone, and each phone has an anchor (a keyed MAC
 * over the newest entry's position and MAC, in another domain) written with it. Without the
 * secret nobody can edit, insert, reorder, move between phones, or delete entries, even the
 * newest ones, without `verifyChain` noticing. Pure computation (../crypto only).
 * The MACs are in ./chain-mac.ts and verification in ./chain-verify.ts; this module appends
 * (`chainEntry`) and re-exports both, so the chain has one entry point.
 * @module
 */
import type { ConsentEntry, ConsentHead, ConsentKind } from '../ports/consent-ledger';
import { anchorOf, entryHash, personalDigest, type Unsealed } from './chain-mac';

export { anchorOf, chainKey, entryHash, personalDigest } from './chain-mac';
export {
  type ChainProblem,
  type ChainVerdict,
  checkChain,
  checkHead,
  type VerifyChainOptions,
  verifyChain,
} from './chain-verify';

/** What the verifier wants recorded; the chain fields are filled by `chainEntry`. */
export interface ConsentDraft {
  readonly kind: ConsentKind;
  readonly at: number;
  readonly source: string;
  readonly text?: string;
  readonly version?: string;
  readonly keyword?: string;
  /** The provider's id of the inbound message (evidence). */
  readonly messageId?: string;
  readonly ip?: string;
  readonly userAgent?: string;
  /** Random salt, required when `ip` or `userAgent` is given (generated outside the append). */
  readonly salt?: string;
}

/** Builds the next entry of a chain and its anchor from the head the ledger showed. */
export function chainEntry(
  key: Uint8Array,
  phoneKey: string,
  head: ConsentHead,
  draft: ConsentDraft,
): { entry: ConsentEntry; anchor: string } {
  const { salt, ip, userAgent, ...rest } = draft;
  const personal = ip !== undefined || userAgent !== undefined;
  if (personal && salt === undefined)
    throw new TypeError('consent draft: personal fields need a salt');
  const base: Unsealed = {
    ...rest,
    seq: (head.entry?.seq ?? 0) + 1,
    prev: head.entry?.hash ?? '',
    ...(personal ? { personalDigest: personalDigest(salt!, ip, userAgent) } : {}),
  };
  const hash = entryHash(key, phoneKey, base);
  const entry: ConsentEntry = {
    ...base,
    ...(ip !== undefined ? { ip } : {}),
    ...(userAgent !== undefined ? { userAgent } : {}),
    ...(personal ? { salt: salt! } : {}),
    hash,
  };
  return { entry, anchor: anchorOf(key, phoneKey, entry.seq, hash) };
}
