/**
 * `intOption`: the one check of a store's integer options (attempts, cache size, sweep
 * limits), throwing at construction with the option's name and range.
 * @module
 */

/** `value` if it is an integer in [min, max]; else a TypeError naming the option. */
export function intOption(
  value: number,
  name: string,
  min: number,
  max: number,
  /** Who owns the option, for the message (`redisStore`). */
  who?: string,
): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const owner = who ? `${who} ` : '';
    throw new TypeError(
      `phoneproof: ${owner}\`${name}\` must be an integer from ${min} to ${max}.`,
    );
  }
  return value;
}
