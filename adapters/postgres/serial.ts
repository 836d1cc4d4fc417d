/**
 * Per-key serialization within one process. @internal
 * @module
 */

/**
 * Returns a runner under which calls for one key run one after another (in call order)
 * while different keys run concurrently. Optimistic writers use it so that contention
 * comes only from other processes: N concurrent updates of one key cost N round-trip pairs
 * instead of N² conflicting attempts. The map holds only keys with work in flight.
 */
export function keyedSerial() {
  const tails = new Map<string, Promise<unknown>>();
  return function serial<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = tails.get(key);
    const result = previous ? previous.then(task, task) : task();
    const tail = result.then(
      () => {},
      () => {},
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}
