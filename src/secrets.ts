/**
 * Secret handling, one entry: the keyring (./keyring.ts) and keyed digests (./digests.ts) are
 * re-exported here, and sealing lives here: a separate derived key and authenticated data for
 * every kind (`SealKind`), AES-256-GCM, and the 0.1.0 format still read for values at rest.
 * Computation only (./crypto), no I/O. @internal
 * @module
 */
import { concatBytes, fromBase64, fromUtf8, gcmOpen, gcmSeal, toBase64Url, utf8 } from './crypto';
import { type Keyring, subkey } from './keyring';

export { codeDigest, codeMatches, digestEquals, hmac, phoneKey } from './digests';
export { type Keyring, keyring, MIN_SECRET_BYTES, type Secret, subkey } from './keyring';

/**
 * What a sealed value is. Each kind has its own key, derived from every secret of the ring
 * (`subkey(secret, 'seal:' + kind)`), and its name as AES-GCM additional authenticated data,
 * so a blob sealed as one kind never opens as another (an attacker-chosen subject sealed in a
 * proof token is not a second-factor challenge).
 */
export type SealKind =
  /** A phone number stored in a verification record. At rest; legacy format read. */
  | 'phone-number'
  /** An authenticator (TOTP) secret stored in an enrollment. At rest; legacy format read. */
  | 'totp-secret'
  /** The phone number or subject a proof token names. */
  | 'proof-identity'
  /** The body of a second-factor challenge id (`totp.` + sealed). */
  | 'totp-challenge'
  /** A verification id: the phone's store-key fragment under a fresh IV. */
  | 'verification-id'
  /** A `start` result kept for an idempotency key (it holds the verification id). */
  | 'idempotency-result'
  /** A consent given for an opted-out number, kept until its verification is approved. */
  | 'consent-reopt-in';

/** Every sealed kind (a closed list: adding one means adding it here). */
export const SEAL_KINDS: readonly SealKind[] = [
  'phone-number',
  'totp-secret',
  'proof-identity',
  'totp-challenge',
  'verification-id',
  'idempotency-result',
  'consent-reopt-in',
];

/**
 * Kinds stored at rest whose values written by 0.1.0 (one key for every kind, no
 * authenticated data) are still opened, from the store only: records last up to a day,
 * enrollments longer. Values a client presents never get this fallback.
 */
const LEGACY_READABLE: ReadonlySet<SealKind> = new Set(['phone-number', 'totp-secret']);

const kindKeyCache = new WeakMap<Keyring, Map<SealKind, readonly Uint8Array[]>>();

/** The AES-256-GCM keys of `kind` for every secret of the ring, current first. */
function kindKeys(ring: Keyring, kind: SealKind): readonly Uint8Array[] {
  let byKind = kindKeyCache.get(ring);
  if (!byKind) {
    byKind = new Map();
    kindKeyCache.set(ring, byKind);
  }
  let keys = byKind.get(kind);
  if (!keys) {
    if (!SEAL_KINDS.includes(kind)) throw new TypeError(`phoneproof: unknown sealed kind ${kind}`);
    keys = ring.all.map((k) => subkey(k, `seal:${kind}`));
    byKind.set(kind, keys);
  }
  return keys;
}

const aadCache = new Map<SealKind, Uint8Array>();

/**
 * The authenticated data of `kind`: its name, and the value it is bound to when there is one
 * (a blob bound to one verification does not open for another).
 */
function aadOf(kind: SealKind, bound?: string): Uint8Array {
  if (bound !== undefined) return utf8(`phoneproof:${kind}\u0000${bound}`);
  let a = aadCache.get(kind);
  if (!a) {
    a = utf8(`phoneproof:${kind}`);
    aadCache.set(kind, a);
  }
  return a;
}

/** Encrypts bytes as `kind` under the current secret: base64url(iv|tag|ct). */
export function sealBytes(
  ring: Keyring,
  kind: SealKind,
  plaintext: Uint8Array,
  iv: Uint8Array,
  bound?: string,
): string {
  const { ciphertext, tag } = gcmSeal(kindKeys(ring, kind)[0]!, iv, plaintext, aadOf(kind, bound));
  return toBase64Url(concatBytes(iv, tag, ciphertext));
}

/** Encrypts a string as `kind` under the current secret (`iv`: 12 fresh random bytes). */
export function seal(
  ring: Keyring,
  kind: SealKind,
  plaintext: string,
  iv: Uint8Array,
  bound?: string,
): string {
  return sealBytes(ring, kind, utf8(plaintext), iv, bound);
}

/** Opens `raw` (iv|tag|ct; `unsealBytes` refuses a blob shorter than IV + tag). */
function open(
  raw: Uint8Array,
  key: Uint8Array,
  aad: Uint8Array | undefined,
): Uint8Array | undefined {
  return gcmOpen(key, raw.subarray(0, 12), raw.subarray(28), raw.subarray(12, 28), aad);
}

/** How `unseal` opens a blob. */
export interface UnsealOptions {
  /** Also accept the 0.1.0 format (stored numbers and TOTP secrets read from the store only). */
  readonly legacy?: boolean;
  /** Only the current secret (to tell whether a value needs re-sealing). */
  readonly currentOnly?: boolean;
  /** The value the blob was sealed bound to (`seal`'s `bound`), part of the authenticated data. */
  readonly bound?: string;
}

/**
 * Decrypts a `sealBytes` output of `kind` under any secret of the ring; undefined when it is
 * not a `kind` blob sealed by one of them. `legacy: true` (stored values only) also accepts
 * the 0.1.0 format for the kinds that had values at rest.
 */
export function unsealBytes(
  ring: Keyring,
  kind: SealKind,
  sealed: string,
  options: UnsealOptions = {},
): Uint8Array | undefined {
  const raw = fromBase64(sealed);
  if (raw === undefined || raw.length < 28) return undefined;
  const aad = aadOf(kind, options.bound);
  const keys = kindKeys(ring, kind);
  for (const key of options.currentOnly ? keys.slice(0, 1) : keys) {
    const plain = open(raw, key, aad);
    if (plain) return plain;
  }
  if (
    options.legacy === true &&
    options.currentOnly !== true &&
    options.bound === undefined &&
    LEGACY_READABLE.has(kind)
  ) {
    for (const key of ring.sealKeys) {
      const plain = open(raw, key, undefined);
      if (plain) return plain;
    }
  }
  return undefined;
}

/** Decrypts a `seal` output of `kind` (see `unsealBytes`). */
export function unseal(
  ring: Keyring,
  kind: SealKind,
  sealed: string,
  options?: UnsealOptions,
): string | undefined {
  const plain = unsealBytes(ring, kind, sealed, options);
  return plain === undefined ? undefined : fromUtf8(plain);
}
