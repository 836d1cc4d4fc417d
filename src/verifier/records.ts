/**
 * Phone records in and out of the store, for the shell: decoding with a small cache of the
 * bytes this verifier last saw per key, and the write (or delete) for a new state. @internal
 * @module
 */
import type { Policy } from '../core/policy';
import { recordTtl } from '../core/settle';
import { decodeState, encodeState, type PhoneState } from '../core/state';
import type { StoreWrite } from '../ports/store';
import { Recent } from '../recent';

/** Decoded phone records kept per verifier. */
const DECODED_CACHE_SIZE = 1024;

export interface RecordCodec {
  /** The state a stored value holds; throws `CorruptRecordError`. */
  decode(key: string, raw: string | undefined): PhoneState;
  /** The store write for `state` at `at`: the encoded record, or a delete once nothing is left. */
  writeOf(key: string, state: PhoneState, at: number): StoreWrite;
}

export function recordCodec(policy: Policy): RecordCodec {
  // The record each recently used key last held, decoded. A store hands back the bytes this
  // verifier just wrote (a check after a start, a send's outcome after its decision), and
  // identical bytes decode to the same state, so JSON.parse and the shape check
  // are skipped for them. States are immutable (the core copies on write), so sharing is safe.
  const decoded = new Recent<{ readonly raw: string; readonly state: PhoneState }>(
    DECODED_CACHE_SIZE,
  );
  return {
    decode(key, raw) {
      if (raw === undefined) return decodeState(raw);
      const hit = decoded.get(key);
      if (hit !== undefined && hit.raw === raw) return hit.state;
      const state = decodeState(raw);
      decoded.set(key, { raw, state });
      return state;
    },
    writeOf(key, state, at) {
      const ttlMs = recordTtl(state, at, policy);
      if (ttlMs <= 0) {
        decoded.delete(key);
        return { delete: true };
      }
      const value = encodeState(state);
      decoded.set(key, { raw: value, state });
      return { value, ttlMs };
    },
  };
}
