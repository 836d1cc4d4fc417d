/**
 * The Lua compare-and-set behind `redisStore`'s `update`. @internal
 * @module
 */
import { createHash } from 'node:crypto';

/**
 * Compare-and-set on one key, atomic because Redis runs a script without interleaving.
 *
 * KEYS[1] the record's key.
 * ARGV[1] `1` when the caller read a value, `0` when it read nothing.
 * ARGV[2] the value the caller read (ignored when ARGV[1] is `0`).
 * ARGV[3] the new value.
 * ARGV[4] time to live in ms, or `del` to delete the key instead.
 *
 * Returns `{1}` when the write landed; `{0, current}` or `{0}` (key absent) when the key no
 * longer holds what the caller read, so the caller can retry without another GET. Lua
 * compares strings byte for byte, and an expired key reads as absent, as it does for GET.
 */
export const CAS_SCRIPT = `local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if cur ~= ARGV[2] then
    if cur then return {0, cur} end
    return {0}
  end
elseif cur then
  return {0, cur}
end
if ARGV[4] == 'del' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
end
return {1}`;

/** SHA-1 of the script, the name EVALSHA runs it by. */
export const CAS_SHA = createHash('sha1').update(CAS_SCRIPT).digest('hex');

/** The outcome of one compare-and-set. */
export type CasReply = { readonly ok: true } | { readonly ok: false; readonly current?: string };

/** Reads the script's reply; anything else means the server is not running our script. */
export function parseCasReply(reply: unknown): CasReply {
  if (Array.isArray(reply)) {
    if (reply[0] === 1 && reply.length === 1) return { ok: true };
    if (reply[0] === 0 && reply.length === 1) return { ok: false };
    if (reply[0] === 0 && reply.length === 2) {
      const cur = reply[1];
      if (typeof cur === 'string') return { ok: false, current: cur };
      if (Buffer.isBuffer(cur)) return { ok: false, current: cur.toString('utf8') };
    }
  }
  throw new Error(`phoneproof: unexpected reply from the compare-and-set script: ${String(reply)}`);
}
