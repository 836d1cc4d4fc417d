/**
 * Verification ids: opaque handles that carry nothing stable about the phone. An id is the
 * phone's store-key fragment sealed as `verification-id` under a fresh random IV, so two ids
 * of one phone share no substring; every id-taking operation opens it (one AES-GCM open under
 * the current secret, older secrets of the ring after it) to find the phone's record. Events
 * name a verification by `eventRef`, a keyed hash that no operation accepts. @internal
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import { fromBase64, toBase64Url } from '../crypto';
import { type VerifyError, verifyError } from '../errors';
import { hmac, type Keyring, sealBytes, subkey, unsealBytes } from '../secrets';

/** Bytes of a phone key (32 base64url characters). */
const PHONE_KEY_BYTES = 24;

/** IV (12) + tag (16) + phone key (24) = 52 bytes: 70 base64url characters. */
export const ID_LENGTH = 70;
const ID = /^[A-Za-z0-9_-]{70}$/;

/** A verification id opened: the id, its phone's key and the record's store key. */
export interface OpenedId {
  readonly id: string;
  readonly phoneKey: string;
  readonly key: string;
}

/** A new id for a verification of the phone `phoneKey` (`iv`: 12 fresh random bytes). */
export function newVerificationId(ring: Keyring, phoneKey: string, iv: Uint8Array): string {
  return sealBytes(ring, 'verification-id', fromBase64(phoneKey)!, iv);
}

/** The phone key inside `id`, or undefined when it is not an id sealed by this ring. */
export function phoneKeyOfId(ring: Keyring, id: string): string | undefined {
  if (!ID.test(id)) return undefined;
  const pkey = unsealBytes(ring, 'verification-id', id);
  return pkey?.length === PHONE_KEY_BYTES ? toBase64Url(pkey) : undefined;
}

/**
 * Validates and opens an id from an untrusted caller. A string that is not one of ours (a
 * wrong shape, a forged or altered id, another kind of sealed value) is `not_found`, as an
 * unknown id is.
 */
export function openId(ring: Keyring, x: unknown): Result<OpenedId, VerifyError> {
  if (typeof x !== 'string') {
    return err(
      verifyError('invalid_request', { message: '`id` must be a verification id string.' }),
    );
  }
  const pkey = phoneKeyOfId(ring, x);
  if (pkey === undefined) return err(verifyError('not_found'));
  return ok({ id: x, phoneKey: pkey, key: `phone:${pkey}` });
}

const refKeys = new WeakMap<Keyring, Uint8Array>();

/**
 * The reference events carry for a verification: a keyed hash of its id (22 characters),
 * equal in every event of one verification, which no operation accepts as an id.
 */
export function eventRef(ring: Keyring, id: string): string {
  let key = refKeys.get(ring);
  if (!key) {
    key = subkey(ring.lookup, 'event-ref');
    refKeys.set(ring, key);
  }
  return hmac(key, 'event-ref', id).slice(0, 22);
}
