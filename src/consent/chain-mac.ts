/**
 * The MACs of the consent hash chain: the chain key derived from the lookup secret, the MAC of
 * an entry (its fields, position and the previous entry's MAC), the anchor of a phone (the
 * newest entry's position and MAC, in another domain) and the salted digest of the personal
 * fields. Written by `chainEntry` (./chain.ts), checked by ./chain-verify.ts.
 * Pure computation (../crypto only).
 * @module
 */
import { hash, hmacText, toBase64Url } from '../crypto';
import type { ConsentEntry } from '../ports/consent-ledger';
import { subkey } from '../secrets';

/** The chain MAC key, derived from the lookup secret (stable across secret rotations). */
export function chainKey(lookup: Uint8Array): Uint8Array {
  return subkey(lookup, 'consent-chain');
}

const mac = (key: Uint8Array, parts: readonly unknown[]): string =>
  hmacText('sha256', key, JSON.stringify(parts), 'base64url');

/** Digest of the personal fields; salted so that erased values cannot be guessed back. */
export function personalDigest(salt: string, ip?: string, userAgent?: string): string {
  return toBase64Url(
    hash(
      'sha256',
      JSON.stringify(['phoneproof.consent.personal.v1', salt, ip ?? null, userAgent ?? null]),
    ),
  );
}

/** An entry without what its MAC does not cover. */
export type Unsealed = Omit<ConsentEntry, 'hash' | 'redactedAt' | 'ip' | 'userAgent' | 'salt'>;

/**
 * The MAC of an entry: covers everything but `hash`, the personal fields and `redactedAt`.
 * `messageId` is appended only when present, so entries written before it existed keep
 * their MAC (the array's length tells the two forms apart).
 */
export function entryHash(key: Uint8Array, phoneKey: string, e: Unsealed): string {
  return mac(key, [
    'phoneproof.consent.entry.v1',
    phoneKey,
    e.seq,
    e.prev,
    e.kind,
    e.at,
    e.source,
    e.text ?? null,
    e.version ?? null,
    e.keyword ?? null,
    e.personalDigest ?? null,
    ...(e.messageId !== undefined ? [e.messageId] : []),
  ]);
}

/** The anchor of a phone whose newest entry is `seq` with MAC `hash`: `<seq>.<mac>`. */
export function anchorOf(key: Uint8Array, phoneKey: string, seq: number, hash: string): string {
  return `${seq}.${mac(key, ['phoneproof.consent.anchor.v1', phoneKey, seq, hash])}`;
}
