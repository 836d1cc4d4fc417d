/**
 * Keyed hashing: store keys derived from phone numbers, code digests, constant-time compare;
 * sealing with a separate derived key and authenticated data for every kind (`SealKind`).
 * Uses only `node:crypto` computation (no I/O). @internal
 * @module
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';

/** Smallest accepted secret, in bytes (HMAC-SHA256 key strength). */
export const MIN_SECRET_BYTES = 32;

/** A secret as given by the application: a string (UTF-8) or raw bytes. */
export type Secret = string | Uint8Array;

/** Validated secrets: `current` signs new codes, `all` are accepted when checking. */
export interface Keyring {
  readonly current: Buffer;
  readonly all: readonly Buffer[];
  /** Derives store keys; stable across rotations that keep the oldest secret. */
  readonly lookup: Buffer;
  /**
   * The 0.1.0 AES-256-GCM keys (one for every kind), same order as `all`: only to read
   * stored numbers and TOTP secrets written before per-kind keys (see `unseal`).
   */
  readonly sealKeys: readonly Buffer[];
}

/** Builds a keyring; throws (misconfiguration) when a secret is missing or short. */
export function keyring(secret: Secret | readonly Secret[], lookupSecret?: Secret): Keyring {
  const list = (Array.isArray(secret) ? secret : [secret]) as readonly Secret[];
  if (list.length === 0) throw new TypeError('phoneproof: `secret` must not be an empty list.');
  const all = list.map((s, i) => toKey(s, `secret[${i}]`));
  const lookup =
    lookupSecret === undefined ? all[all.length - 1]! : toKey(lookupSecret, 'lookupSecret');
  return { current: all[0]!, all, lookup, sealKeys: all.map((k) => subkey(k, 'seal')) };
}

function toKey(s: Secret, name: string): Buffer {
  if (typeof s !== 'string' && !(s instanceof Uint8Array)) {
    throw new TypeError(`phoneproof: ${name} must be a string or Uint8Array.`);
  }
  const key = typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s);
  if (key.length < MIN_SECRET_BYTES) {
    throw new TypeError(
      `phoneproof: ${name} is ${key.length} bytes; at least ${MIN_SECRET_BYTES} are required ` +
        '(for example: node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))").',
    );
  }
  return key;
}

/** HMAC-SHA256 of `parts` joined by a separator that cannot occur in them, base64url. */
export function hmac(key: Buffer, ...parts: string[]): string {
  return createHmac('sha256', key).update(parts.join('\u0000')).digest('base64url');
}

/** The store-key fragment for a phone: never the number itself. */
export function phoneKey(ring: Keyring, e164: string): string {
  return hmac(ring.lookup, 'phone', e164).slice(0, 32);
}

/** Digest of a code bound to its verification and purpose. */
export function codeDigest(
  key: Buffer,
  verificationId: string,
  purpose: string,
  code: string,
): string {
  return hmac(key, 'code', verificationId, purpose, code);
}

/** Compares two digests in constant time (length leaks nothing: digests are fixed-size). */
export function digestEquals(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when `code` matches `digest` under any secret of the ring. */
export function codeMatches(
  ring: Keyring,
  digest: string,
  verificationId: string,
  purpose: string,
  code: string,
): boolean {
  let match = false;
  for (const key of ring.all) {
    // Evaluate every key so timing does not reveal which secret matched.
    if (digestEquals(codeDigest(key, verificationId, purpose, code), digest)) match = true;
  }
  return match;
}

/** Derives a purpose-specific subkey so one secret never keys two algorithms. */
export function subkey(key: Buffer, label: string): Buffer {
  return createHmac('sha256', key).update(`phoneproof:${label}`).digest();
}

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

const kindKeyCache = new WeakMap<Keyring, Map<SealKind, readonly Buffer[]>>();

/** The AES-256-GCM keys of `kind` for every secret of the ring, current first. */
function kindKeys(ring: Keyring, kind: SealKind): readonly Buffer[] {
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

const aadCache = new Map<SealKind, Buffer>();

/**
 * The authenticated data of `kind`: its name, and the value it is bound to when there is one
 * (a blob bound to one verification does not open for another).
 */
function aadOf(kind: SealKind, bound?: string): Buffer {
  if (bound !== undefined) return Buffer.from(`phoneproof:${kind}\u0000${bound}`, 'utf8');
  let a = aadCache.get(kind);
  if (!a) {
    a = Buffer.from(`phoneproof:${kind}`, 'utf8');
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
  const cipher = createCipheriv('aes-256-gcm', kindKeys(ring, kind)[0]!, iv);
  cipher.setAAD(aadOf(kind, bound));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
}

/** Encrypts a string as `kind` under the current secret (`iv`: 12 fresh random bytes). */
export function seal(
  ring: Keyring,
  kind: SealKind,
  plaintext: string,
  iv: Uint8Array,
  bound?: string,
): string {
  return sealBytes(ring, kind, Buffer.from(plaintext, 'utf8'), iv, bound);
}

function open(raw: Buffer, key: Buffer, aad: Buffer | undefined): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
  } catch {
    return undefined;
  }
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
): Buffer | undefined {
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length < 28) return undefined;
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
  return unsealBytes(ring, kind, sealed, options)?.toString('utf8');
}
