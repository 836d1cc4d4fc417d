/**
 * Verifying the consent hash chain: one entry on its own (MAC, personal fields), the anchor
 * against the newest entry, a head read before every consent decision (`checkHead`), a whole
 * chain (`checkChain`), and `verifyChain`, the public check of a chain an application holds.
 * Pure computation.
 * @module
 */
import { normalizePhone } from '../phone';
import type { ConsentChain, ConsentEntry, ConsentHead } from '../ports/consent-ledger';
import { digestEquals, phoneKey as keyOfPhone, keyring, type Secret } from '../secrets';
import { anchorOf, chainKey, entryHash, personalDigest } from './chain-mac';

/** Why a chain failed verification. */
export type ChainProblem =
  /** `seq` values are not 1, 2, 3... (an entry was deleted, duplicated or reordered). */
  | 'sequence'
  /** `prev` is not the previous entry's `hash` (an entry was replaced or moved). */
  | 'link'
  /** The entry's MAC does not match its fields (an entry was edited or forged). */
  | 'hash'
  /** `ip` / `userAgent` do not match the digest the MAC covers (edited or half-erased). */
  | 'personal'
  /** Entries exist but the anchor is gone. */
  | 'anchor_missing'
  /** The anchor names a later entry than the newest one present: the tail was deleted. */
  | 'truncated'
  /** The anchor does not match the newest entry (forged, rolled back, or not written with it). */
  | 'anchor_mismatch'
  /** The externally kept anchor (`expect`) is not in the chain. */
  | 'external_anchor';

/** The outcome of verifying a chain. */
export type ChainVerdict =
  | {
      readonly valid: true;
      readonly length: number;
      /** The newest entry's position and MAC: keep it elsewhere to anchor the chain externally. */
      readonly head?: { readonly seq: number; readonly hash: string };
    }
  | {
      readonly valid: false;
      readonly length: number;
      /** The first position found wrong. */
      readonly seq: number;
      readonly problem: ChainProblem;
    };

/** Checks one entry on its own (MAC and personal fields); undefined when sound. */
function entryProblem(
  key: Uint8Array,
  phoneKey: string,
  e: ConsentEntry,
): ChainProblem | undefined {
  const { hash, redactedAt, ip, userAgent, salt, ...rest } = e;
  if (!digestEquals(entryHash(key, phoneKey, rest), hash)) return 'hash';
  const hasPersonal = ip !== undefined || userAgent !== undefined || salt !== undefined;
  if (hasPersonal) {
    if (salt === undefined || e.personalDigest === undefined) return 'personal';
    if (!digestEquals(personalDigest(salt, ip, userAgent), e.personalDigest)) return 'personal';
  } else if (e.personalDigest !== undefined && redactedAt === undefined) {
    return 'personal';
  }
  return undefined;
}

/** Checks an anchor against the newest entry present (or none). */
function anchorProblem(
  key: Uint8Array,
  phoneKey: string,
  last: ConsentEntry | undefined,
  anchor: string | undefined,
): { seq: number; problem: ChainProblem } | undefined {
  if (anchor === undefined) {
    return last ? { seq: last.seq, problem: 'anchor_missing' } : undefined;
  }
  const dot = anchor.indexOf('.');
  const seq = Number(anchor.slice(0, dot));
  if (dot < 1 || !Number.isSafeInteger(seq) || seq < 1) {
    return { seq: last?.seq ?? 0, problem: 'anchor_mismatch' };
  }
  if (last === undefined || seq > last.seq) return { seq, problem: 'truncated' };
  if (seq < last.seq || !digestEquals(anchorOf(key, phoneKey, last.seq, last.hash), anchor)) {
    return { seq: last.seq, problem: 'anchor_mismatch' };
  }
  return undefined;
}

/**
 * Verifies a head read (newest entry + anchor): the newest entry is intact and nothing was
 * deleted after it. Two MACs; used before every consent decision. Does not see edits of
 * older entries (`checkChain` does).
 */
export function checkHead(
  key: Uint8Array,
  phoneKey: string,
  head: ConsentHead,
): { seq: number; problem: ChainProblem } | undefined {
  if (head.entry) {
    const p = entryProblem(key, phoneKey, head.entry);
    if (p) return { seq: head.entry.seq, problem: p };
  }
  return anchorProblem(key, phoneKey, head.entry, head.anchor);
}

/** Verifies a whole chain with a derived key. `expect`: an anchor kept outside the ledger. */
export function checkChain(
  key: Uint8Array,
  phoneKey: string,
  chain: ConsentChain,
  expect?: { readonly seq: number; readonly hash: string },
): ChainVerdict {
  const { entries } = chain;
  const length = entries.length;
  let prev = '';
  for (const [i, e] of entries.entries()) {
    const fail = (problem: ChainProblem): ChainVerdict => ({
      valid: false,
      length,
      seq: i + 1,
      problem,
    });
    if (e.seq !== i + 1) return fail('sequence');
    if (e.prev !== prev) return fail('link');
    const p = entryProblem(key, phoneKey, e);
    if (p) return fail(p);
    prev = e.hash;
  }
  const last = entries.at(-1);
  const a = anchorProblem(key, phoneKey, last, chain.anchor);
  if (a) return { valid: false, length, ...a };
  if (expect) {
    const kept = entries[expect.seq - 1];
    if (!kept || !digestEquals(kept.hash, expect.hash)) {
      return { valid: false, length, seq: expect.seq, problem: 'external_anchor' };
    }
  }
  return { valid: true, length, ...(last ? { head: { seq: last.seq, hash: last.hash } } : {}) };
}

/** Options of `verifyChain`: the verifier's secrets and the phone whose chain it is. */
export interface VerifyChainOptions {
  /** The verifier's `secret` (a string, bytes, or the rotation list). */
  readonly secret: Secret | readonly Secret[];
  /** The verifier's `lookupSecret`, when it sets one. */
  readonly lookupSecret?: Secret;
  /** The phone, E.164 (or `phoneKey`, the ledger key, when the number is not at hand). */
  readonly phone?: string;
  readonly phoneKey?: string;
  /** An anchor kept outside the ledger (e.g. from a `consent.*` event): must be in the chain. */
  readonly expect?: { readonly seq: number; readonly hash: string };
}

/**
 * Verifies a phone's consent chain (as returned by `ConsentLedger.list` or in
 * `consent.history()`): any edited, inserted, reordered, moved or deleted entry, including
 * the newest ones, makes it invalid and names the first position found wrong. Throws only on
 * misconfiguration (missing secret, neither `phone` nor `phoneKey`, invalid phone).
 */
export function verifyChain(chain: ConsentChain, options: VerifyChainOptions): ChainVerdict {
  const ring = keyring(options.secret, options.lookupSecret);
  let pk = options.phoneKey;
  if (pk === undefined) {
    const phone = normalizePhone(options.phone);
    if (phone.isErr())
      throw new TypeError('verifyChain: `phone` (E.164) or `phoneKey` is required.');
    pk = keyOfPhone(ring, phone.value.number);
  }
  return checkChain(chainKey(ring.lookup), pk, chain, options.expect);
}
