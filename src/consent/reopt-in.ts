/**
 * Re-opt-in after an opt-out needs proof of possession. A consent given with `start` for a
 * number that opted out is not recorded at once: it is kept, sealed, in the Store under the
 * verification's id, the one code of that start may go out (the only message an opted-out
 * number can receive), and the opt-in is written to the ledger only when that very
 * verification is approved. Until then the opt-out stays in force for everything else
 * (other starts, resends, the delivery re-check).
 *
 * The kept consent (text, version, source, ip, user agent, time) is sealed with AES-256-GCM
 * as the sealed kind `consent-reopt-in` (its own key derived from each secret), bound to the
 * verification id in the authenticated data: it cannot be read, moved to another verification,
 * or confused with another sealed kind.
 *
 * A resend of such a verification is refused as one whose sends are spent
 * (`heldResendRefusal`), never `opted_out`, which would tell whoever started it that the
 * number had opted out. @internal
 * @module
 */
import type { VerifyError } from '../errors';
import { refusalError } from '../feature/errors';
import { type Keyring, seal, unseal } from '../secrets';
import type { GivenConsent } from './input';

/** The Store key of the consent kept for verification `id`. */
export const reoptInKey = (id: string) => `consent-reopt:${id}`;

/** How long the kept consent waits for its verification (longer than any code lives). */
export const REOPT_IN_TTL_MS = 86_400_000;

export interface PendingOptIn {
  readonly given: GivenConsent;
  /** When the consent was given, epoch ms. */
  readonly at: number;
}

/** Seals a pending opt-in for verification `id` (`iv`: 12 random bytes). */
export function sealPending(ring: Keyring, id: string, p: PendingOptIn, iv: Uint8Array): string {
  return seal(ring, 'consent-reopt-in', JSON.stringify(p), iv, id);
}

/** Opens a pending opt-in sealed for `id`; undefined when it does not open or is malformed. */
export function openPending(ring: Keyring, id: string, sealed: string): PendingOptIn | undefined {
  const text = unseal(ring, 'consent-reopt-in', sealed, { bound: id });
  if (text === undefined) return undefined;
  try {
    const p = JSON.parse(text) as PendingOptIn;
    if (typeof p?.at !== 'number' || typeof p.given?.text !== 'string') return undefined;
    return p;
  } catch {
    return undefined;
  }
}

/**
 * The answer to a resend of a verification that holds a re-opt-in: its one code is the only
 * message the opted-out number may receive, so the resend is refused as the core refuses one
 * whose sends are spent (`maxSends`: `send_limit_reached`, scope `phone`, no retry time),
 * the same answer byte for byte. Not `opted_out`: the start answered as for any number, and
 * the resend must not name the number's state (test/adversary/reopt-in-resend.test.ts).
 */
export function heldResendRefusal(at: number): VerifyError {
  return refusalError({ code: 'send_limit_reached' }, at);
}
