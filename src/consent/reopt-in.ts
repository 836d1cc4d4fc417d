/**
 * Re-opt-in after an opt-out needs proof of possession. A consent given with `start` for a
 * number that opted out is not recorded at once: it is kept, sealed, in the Store under the
 * verification's id, the one code of that start may go out (the only message an opted-out
 * number can receive), and the opt-in is written to the ledger only when that very
 * verification is approved. Until then the opt-out stays in force for everything else
 * (other starts, resends, the delivery re-check).
 *
 * The kept consent (text, version, source, ip, user agent, time) is sealed with AES-256-GCM
 * under its own key derived from each secret (`consent-reopt-in`), with the kind and the
 * verification id as authenticated data: it cannot be read, moved to another verification,
 * or confused with another sealed kind. @internal
 * @module
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { Keyring } from '../secrets';
import { subkey } from '../secrets';
import type { GivenConsent } from './input';

const KIND = 'phoneproof.consent.reopt-in.v1';

/** The Store key of the consent kept for verification `id`. */
export const reoptInKey = (id: string) => `consent-reopt:${id}`;

/** How long the kept consent waits for its verification (longer than any code lives). */
export const REOPT_IN_TTL_MS = 86_400_000;

export interface PendingOptIn {
  readonly given: GivenConsent;
  /** When the consent was given, epoch ms. */
  readonly at: number;
}

const keyOf = (sealKey: Buffer) => subkey(sealKey, 'consent-reopt-in');
const aad = (id: string) => Buffer.from(`${KIND}\u0000${id}`, 'utf8');

/** Seals a pending opt-in for verification `id` (`iv`: 12 random bytes). */
export function sealPending(ring: Keyring, id: string, p: PendingOptIn, iv: Uint8Array): string {
  const cipher = createCipheriv('aes-256-gcm', keyOf(ring.sealKeys[0]!), iv);
  cipher.setAAD(aad(id));
  const ct = Buffer.concat([cipher.update(JSON.stringify(p), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
}

/** Opens a pending opt-in sealed for `id`; undefined when it does not open or is malformed. */
export function openPending(ring: Keyring, id: string, sealed: string): PendingOptIn | undefined {
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length < 28) return undefined;
  for (const key of ring.sealKeys) {
    try {
      const d = createDecipheriv('aes-256-gcm', keyOf(key), raw.subarray(0, 12));
      d.setAAD(aad(id));
      d.setAuthTag(raw.subarray(12, 28));
      const text = Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
      const p = JSON.parse(text) as PendingOptIn;
      if (typeof p?.at !== 'number' || typeof p.given?.text !== 'string') return undefined;
      return p;
    } catch {
      // another secret of the ring, or not ours
    }
  }
  return undefined;
}
