/**
 * Recovery codes: single-use fallbacks for a lost authenticator. Only keyed digests are
 * stored (HMAC-SHA256 under a subkey of the verifier's secret, bound to the subject), so
 * a leaked store reveals no usable code. @internal
 * @module
 */
import {
  ALPHANUMERIC_ALPHABET,
  generateCode,
  normalizeCodeInput,
  type RandomBytes,
} from '../codes';
import { digestEquals, hmac, type Keyring, subkey } from '../secrets';

/** Characters per recovery code (31-letter alphabet: about 49.5 bits each). */
export const RECOVERY_CODE_LENGTH = 10;

/** Draws `count` codes, shown to the user as `XXXXX-XXXXX`. */
export function generateRecoveryCodes(random: RandomBytes, count: number): string[] {
  const codes: string[] = [];
  while (codes.length < count) {
    const c = generateCode(random, RECOVERY_CODE_LENGTH, ALPHANUMERIC_ALPHABET);
    const shown = `${c.slice(0, 5)}-${c.slice(5)}`;
    if (!codes.includes(shown)) codes.push(shown);
  }
  return codes;
}

/** Normalizes typed input (case, spaces, dashes); undefined when it cannot be a recovery code. */
export function normalizeRecoveryCode(input: unknown): string | undefined {
  return normalizeCodeInput(input, RECOVERY_CODE_LENGTH, ALPHANUMERIC_ALPHABET);
}

function digest(key: Uint8Array, subjectKey: string, code: string): string {
  return hmac(subkey(key, 'recovery'), subjectKey, code);
}

/** Digests to store for freshly generated codes (under the current secret). */
export function recoveryDigests(
  ring: Keyring,
  subjectKey: string,
  codes: readonly string[],
): string[] {
  return codes.map((c) => digest(ring.current, subjectKey, normalizeRecoveryCode(c)!));
}

/** Index of the stored digest `code` matches under any secret of the ring, or -1. */
export function findRecoveryCode(
  ring: Keyring,
  subjectKey: string,
  code: string,
  digests: readonly string[],
): number {
  const candidates = ring.all.map((key) => digest(key, subjectKey, code));
  let found = -1;
  digests.forEach((stored, i) => {
    // Compare against every digest and key so timing does not reveal which one matched.
    for (const c of candidates) if (digestEquals(c, stored) && found < 0) found = i;
  });
  return found;
}
