/**
 * The default random source: bytes from the CSPRNG (./crypto: `randomFillSync` on Node,
 * `crypto.getRandomValues` elsewhere), drawn a few kilobytes at a time. A verification draws three small amounts (its id and IV, the code, a send's tag);
 * each `randomBytes` call into OpenSSL costs several microseconds whatever its size, so
 * small draws are served from a pool, as uuid and nanoid do. @internal
 * @module
 */

import type { RandomBytes } from './codes';
import { randomFill } from './crypto';

/** Draws above this size bypass the pool. */
const MAX_POOLED = 64;

/**
 * A `RandomBytes` that serves draws of up to 64 bytes from a pool of `size` bytes, refilled
 * when spent. Every draw is a copy with its own `ArrayBuffer` (nothing handed out can reach
 * the pool or another draw), and the pool bytes it came from are zeroed; no byte is handed
 * out twice. `fill` is the CSPRNG (a parameter for tests).
 */
export function randomPool(
  size = 4096,
  fill: (buffer: Uint8Array) => Uint8Array = randomFill,
): RandomBytes {
  if (!Number.isInteger(size) || size < MAX_POOLED) {
    throw new RangeError(`randomPool: size must be an integer >= ${MAX_POOLED} (got ${size}).`);
  }
  let pool: Uint8Array = new Uint8Array(0);
  let at = 0;
  return (n) => {
    if (n > MAX_POOLED) return fill(new Uint8Array(n));
    if (at + n > pool.length) {
      pool = fill(new Uint8Array(size));
      at = 0;
    }
    const out = pool.slice(at, at + n);
    pool.fill(0, at, at + n);
    at += n;
    return out;
  };
}
