/**
 * The application's secrets as the library holds them: validated (at least 32 bytes each), the
 * first one current, all of them accepted, one of them deriving store keys; and the subkeys
 * derived from a secret so that one secret never keys two algorithms. Re-exported by
 * ./secrets.ts, the entry for all secret handling. @internal
 * @module
 */
import { copyBytes, hmac, utf8 } from './crypto';

/** Smallest accepted secret, in bytes (HMAC-SHA256 key strength). */
export const MIN_SECRET_BYTES = 32;

/** A secret as given by the application: a string (UTF-8) or raw bytes. */
export type Secret = string | Uint8Array;

/** Validated secrets: `current` signs new codes, `all` are accepted when checking. */
export interface Keyring {
  readonly current: Uint8Array;
  readonly all: readonly Uint8Array[];
  /** Derives store keys; stable across rotations that keep the oldest secret. */
  readonly lookup: Uint8Array;
  /**
   * The 0.1.0 AES-256-GCM keys (one for every kind), same order as `all`: only to read
   * stored numbers and TOTP secrets written before per-kind keys (see `unseal`).
   */
  readonly sealKeys: readonly Uint8Array[];
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

function toKey(s: Secret, name: string): Uint8Array {
  if (typeof s !== 'string' && !(s instanceof Uint8Array)) {
    throw new TypeError(`phoneproof: ${name} must be a string or Uint8Array.`);
  }
  const key = copyBytes(typeof s === 'string' ? utf8(s) : s);
  if (key.length < MIN_SECRET_BYTES) {
    throw new TypeError(
      `phoneproof: ${name} is ${key.length} bytes; at least ${MIN_SECRET_BYTES} are required ` +
        '(for example: node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))").',
    );
  }
  return key;
}

/** Derives a purpose-specific subkey so one secret never keys two algorithms. */
export function subkey(key: Uint8Array, label: string): Uint8Array {
  return hmac('sha256', key, `phoneproof:${label}`);
}
