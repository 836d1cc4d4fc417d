/**
 * The Lua compare-and-set behind `redisStore`'s `update` and `updateMany`: one script over
 * N keys (one for `update`), all or nothing. @internal
 * @module
 */
import { createHash } from 'node:crypto';

/**
 * Compare-and-set on N keys of one hash slot, atomic because Redis runs a script without
 * interleaving: every key is compared first, and only if all of them still hold what the
 * caller read are the writes applied.
 *
 * KEYS[i] the record keys (all in one slot on a Cluster).
 * ARGV, four per key, key i at 4(i-1)+1 .. 4(i-1)+4:
 *   `1` when the caller read a value, `0` when it read nothing;
 *   the value the caller read (ignored after `0`);
 *   the new value;
 *   time to live in ms, `del` to delete the key, or `` to compare only (leave it).
 *
 * Returns `{1}` when the writes landed; `{0, current1, ..., currentN}` (false, a nil reply,
 * for an absent key) when any key no longer holds what the caller read, so the caller can
 * retry without another read. Lua compares strings byte for byte, and an expired key reads
 * as absent, as it does for GET; GET on a key of another type fails (WRONGTYPE), writing
 * nothing.
 */
export const CAS_SCRIPT = `local n = #KEYS
local cur = {}
local ok = true
for i = 1, n do
  local b = (i - 1) * 4
  cur[i] = redis.call('GET', KEYS[i])
  if ARGV[b + 1] == '1' then
    if cur[i] ~= ARGV[b + 2] then ok = false end
  elseif cur[i] then
    ok = false
  end
end
if not ok then
  local out = {0}
  for i = 1, n do out[i + 1] = cur[i] end
  return out
end
for i = 1, n do
  local b = (i - 1) * 4
  local op = ARGV[b + 4]
  if op == 'del' then
    redis.call('DEL', KEYS[i])
  elseif op ~= '' then
    redis.call('SET', KEYS[i], ARGV[b + 3], 'PX', op)
  end
end
return {1}`;

/** SHA-1 of the script, the name EVALSHA runs it by. */
export const CAS_SHA = createHash('sha1').update(CAS_SCRIPT).digest('hex');

/** The outcome of one compare-and-set: `current[i]` is key i's value on a mismatch. */
export type CasReply =
  | { readonly ok: true }
  | { readonly ok: false; readonly current: readonly (string | undefined)[] }
  /** A mismatch that does not say what it found (`{0}`): the kit reads again. */
  | { readonly ok: false };

const text = (v: unknown): string | undefined | null => {
  if (v === null || v === undefined || v === false) return undefined;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return null;
};

/** Reads the script's reply for `n` keys; anything else means it is not our script. */
export function parseCasReply(reply: unknown, n: number): CasReply {
  if (Array.isArray(reply)) {
    if (reply[0] === 1 && reply.length === 1) return { ok: true };
    if (reply[0] === 0 && reply.length === 1) return { ok: false };
    if (reply[0] === 0 && reply.length === n + 1) {
      const current = reply.slice(1).map(text);
      if (!current.includes(null)) return { ok: false, current: current as (string | undefined)[] };
    }
  }
  throw new Error(`phoneproof: unexpected reply from the compare-and-set script: ${String(reply)}`);
}
