/**
 * The verifications this verifier started recently, by id: the phone key its id seals and
 * the number its record seals, so that the check that follows in the same process opens
 * neither (two AES-GCM opens). Only a shortcut: an id not kept is opened (`openId`), and a
 * kept id gives what opening it would (the verifier sealed it, with its one keyring); the
 * number is taken only while the record still holds the blob sealed with it. An entry goes
 * at the approval (nothing needs the number after its answer) or when newer starts push it
 * out. @internal
 * @module
 */
import type { Result } from 'neverthrow';
import { ok } from 'neverthrow';
import type { VerifyError } from '../errors';
import { Recent } from '../recent';
import type { Keyring } from '../secrets';
import { type OpenedId, openId } from './ids';

/** Starts kept per verifier. */
const STARTED_CACHE_SIZE = 1024;

interface Started {
  readonly opened: OpenedId;
  /** The number, and the blob the record holds it sealed in. */
  readonly number: string;
  readonly sealed: string;
}

export interface StartedIds {
  /** Keeps a start this verifier wrote: its id opened, its number and the number's blob. */
  note(opened: OpenedId, number: string, sealed: string): void;
  /** `openId`, without opening an id kept here. */
  open(x: unknown): Result<OpenedId, VerifyError>;
  /**
   * The number of verification `id` when its record still holds `sealed` as kept; forgets
   * the start (called once, at its approval). Undefined: unseal it.
   */
  approved(id: string, sealed: string): string | undefined;
}

export function startedIds(ring: Keyring): StartedIds {
  const kept = new Recent<Started>(STARTED_CACHE_SIZE);
  return {
    note(opened, number, sealed) {
      kept.set(opened.id, { opened, number, sealed });
    },
    open(x) {
      const hit = typeof x === 'string' ? kept.get(x) : undefined;
      return hit !== undefined ? ok(hit.opened) : openId(ring, x);
    },
    approved(id, sealed) {
      const hit = kept.get(id);
      if (hit === undefined) return undefined;
      kept.delete(id);
      return hit.sealed === sealed ? hit.number : undefined;
    },
  };
}
