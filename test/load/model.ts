/**
 * A model test for store adapters: fast-check runs the same random sequence of operations
 * on the adapter and on `memoryStore` (the reference) and compares every answer and the
 * final contents.
 * @internal test helper
 */
import fc from 'fast-check';
import { it } from 'vitest';
import { memoryStore } from '../../adapters/memory/store';
import type { Store, StoreTransition } from '../../src/ports/store';

type Op =
  | { kind: 'set'; key: string; value: string }
  | { kind: 'append'; key: string; value: string }
  | { kind: 'delete'; key: string }
  | { kind: 'deleteIfShort'; key: string }
  | { kind: 'read'; key: string }
  | { kind: 'get'; key: string };

const keys = fc.constantFrom('a', 'b', 'phone:{x}', 'ключ');
const values = fc.string({ unit: 'grapheme', maxLength: 12 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: keys, value: values }),
  fc.record({ kind: fc.constant('append' as const), key: keys, value: values }),
  fc.record({ kind: fc.constant('delete' as const), key: keys }),
  fc.record({ kind: fc.constant('deleteIfShort' as const), key: keys }),
  fc.record({ kind: fc.constant('read' as const), key: keys }),
  fc.record({ kind: fc.constant('get' as const), key: keys }),
);

const TTL = 600_000;

async function run(store: Store, o: Op): Promise<unknown> {
  const t = (fn: (cur: string | undefined) => StoreTransition<unknown>) => store.update(o.key, fn);
  switch (o.kind) {
    case 'set':
      return t((cur) => ({ result: cur ?? null, write: { value: o.value, ttlMs: TTL } }));
    case 'append':
      return t((cur) =>
        cur === undefined
          ? { result: 'absent' }
          : { result: cur, write: { value: cur + o.value, ttlMs: TTL } },
      );
    case 'delete':
      return t((cur) => ({ result: cur ?? null, write: { delete: true } }));
    case 'deleteIfShort':
      return t((cur) =>
        cur !== undefined && cur.length < 4
          ? { result: 'deleted', write: { delete: true } }
          : { result: cur ?? null },
      );
    case 'read':
      return t((cur) => ({ result: cur ?? null }));
    case 'get':
      return (await store.get(o.key)) ?? null;
  }
}

/** Registers a test comparing `make()`'s store to the memory store on random sequences. */
export function storeModelTest(name: string, make: () => Store, reset: () => Promise<void>): void {
  it(`${name} answers like the memory store on random operation sequences (model test)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        await reset();
        const real = make();
        const model = memoryStore();
        for (const o of ops) {
          const [got, want] = [await run(real, o), await run(model, o)];
          if (got !== want) throw new Error(`${JSON.stringify(o)}: got ${got}, want ${want}`);
        }
        for (const k of ['a', 'b', 'phone:{x}', 'ключ']) {
          const [got, want] = [await real.get(k), await model.get(k)];
          if (got !== want) throw new Error(`final ${k}: got ${got}, want ${want}`);
        }
      }),
      { numRuns: 40 },
    );
  });
}
