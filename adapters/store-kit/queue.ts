/**
 * The store kit's per-key queue (`keyedSerial`: updates of one key from this process run one
 * after another) and read coalescing (`coalescedReads`).
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

/**
 * Shares reads of one key between concurrent callers without ever answering from a read
 * that started before the caller asked: while a read of a key runs, every new caller waits
 * for one follow-up read that starts when it ends, and they all get that answer. Each answer
 * thus comes from a read issued after the call (linearizable), and a key has at most one read
 * running and one waiting however many callers pile up: 250 concurrent reads of one record
 * cost about two queries, not 250 pool checkouts.
 */
export function coalescedReads<V>(read: (key: string) => Promise<V>) {
  interface Entry {
    readonly running: Promise<V>;
    waiting?: Promise<V>;
  }
  const state = new Map<string, Entry>();
  const start = (key: string): Promise<V> => {
    const running = read(key);
    const entry: Entry = { running };
    state.set(key, entry);
    const done = () => {
      if (state.get(key) === entry) state.delete(key);
    };
    running.then(done, done);
    return running;
  };
  return (key: string): Promise<V> => {
    const entry = state.get(key);
    if (!entry) return start(key);
    entry.waiting ??= entry.running.then(
      () => start(key),
      () => start(key),
    );
    return entry.waiting;
  };
}
