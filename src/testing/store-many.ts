/**
 * The Store contract's `updateMany` cases (registered by `storeContract`, ./store.ts):
 * absent keys, one write per key with its own TTL, deletes, all or nothing (a throw, an
 * invalid TTL), a key read but not written still guarding the decision, the one-key
 * equivalence with `update`, and atomicity under concurrent batches over overlapping keys.
 * @module
 */
import type { MultiTransition, Store } from '../ports/store';
import type { TestRunner } from './runner';

/** The part of the suite's harness these cases use (`StoreHarness`, ./store.ts). */
type Harness = () => { readonly store: Store; wait(ms: number): Promise<void> };

const MIN = 60_000;
const num = (raw: string | undefined) => (raw === undefined ? 0 : Number(raw));

/** Adds 1 to every key's counter; the result is the counters before. */
const incrementAll: MultiTransition<number[]> = (current) => ({
  result: current.map(num),
  writes: current.map((raw) => ({ value: String(num(raw) + 1), ttlMs: MIN })),
});

function basics({ it, expect }: TestRunner, h: Harness): void {
  it('updateMany shows absent keys as undefined and writes each key its own value', async () => {
    const { store } = h();
    await store.update('m:b', () => ({ result: 0, write: { value: 'old', ttlMs: MIN } }));
    const seen = await store.updateMany(['m:a', 'm:b', 'm:c'], (cur) => ({
      result: [...cur],
      writes: [{ value: 'A', ttlMs: MIN }, undefined, { value: 'C', ttlMs: MIN }],
    }));
    expect(seen).toEqual([undefined, 'old', undefined]);
    expect([await store.get('m:a'), await store.get('m:b'), await store.get('m:c')]).toEqual([
      'A',
      'old',
      'C',
    ]);
  });

  it('updateMany deletes and writes in one step; a transition without writes changes nothing', async () => {
    const { store } = h();
    await store.updateMany(['d:a', 'd:b'], () => ({
      result: 0,
      writes: [
        { value: 'x', ttlMs: MIN },
        { value: 'y', ttlMs: MIN },
      ],
    }));
    await store.updateMany(['d:a', 'd:b', 'd:none'], () => ({
      result: 0,
      writes: [{ delete: true }, { value: 'y2', ttlMs: MIN }, { delete: true }],
    }));
    expect([await store.get('d:a'), await store.get('d:b'), await store.get('d:none')]).toEqual([
      undefined,
      'y2',
      undefined,
    ]);
    expect(await store.updateMany(['d:a', 'd:b'], (cur) => ({ result: cur.join('|') }))).toBe(
      '|y2',
    );
  });

  it('updateMany of one key is update', async () => {
    const { store } = h();
    await store.update('one', () => ({ result: 0, write: { value: '1', ttlMs: MIN } }));
    expect(await store.updateMany(['one'], incrementAll)).toEqual([1]);
    expect(await store.update('one', (cur) => ({ result: cur }))).toBe('2');
  });
}

function allOrNothing({ it, expect }: TestRunner, h: Harness): void {
  it('each write of updateMany has its own TTL', async () => {
    const { store } = h();
    await store.updateMany(['t:short', 't:long'], () => ({
      result: 0,
      writes: [
        { value: 's', ttlMs: 300 },
        { value: 'l', ttlMs: MIN },
      ],
    }));
    await h().wait(800);
    expect([await store.get('t:short'), await store.get('t:long')]).toEqual([undefined, 'l']);
    expect(await store.updateMany(['t:short', 't:long'], (cur) => ({ result: [...cur] }))).toEqual([
      undefined,
      'l',
    ]);
  });

  it('updateMany writes nothing when the transition throws or one TTL is invalid', async () => {
    const { store } = h();
    await store.updateMany(['n:a', 'n:b'], incrementAll);
    const boom = new Error('transition failed');
    await expect(
      store.updateMany(['n:a', 'n:b'], () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(
      store.updateMany(['n:a', 'n:b'], () => ({
        result: 0,
        writes: [
          { value: 'x', ttlMs: MIN },
          { value: 'y', ttlMs: 0 },
        ],
      })),
    ).rejects.toBeInstanceOf(RangeError);
    expect([await store.get('n:a'), await store.get('n:b')]).toEqual(['1', '1']);
  });

  it('updateMany refuses a repeated key', async () => {
    await expect(h().store.updateMany(['r', 'r'], incrementAll)).rejects.toBeInstanceOf(TypeError);
  });
}

function atomicity({ it, expect }: TestRunner, h: Harness): void {
  it('concurrent updateMany over overlapping keys, and update beside them, lose nothing', async () => {
    const { store } = h();
    const sets = [
      ['o:x', 'o:y'],
      ['o:y', 'o:z'],
      ['o:z', 'o:x', 'o:y'],
      ['o:y', 'o:x'],
    ];
    await Promise.all([
      ...Array.from({ length: 60 }, (_, i) => store.updateMany(sets[i % 4]!, incrementAll)),
      ...Array.from({ length: 20 }, () =>
        store.update('o:y', (raw) => ({
          result: 0,
          write: { value: String(num(raw) + 1), ttlMs: MIN },
        })),
      ),
    ]);
    const got = [await store.get('o:x'), await store.get('o:y'), await store.get('o:z')];
    expect(got).toEqual(['45', '80', '30']);
  });

  it('concurrent transfers between keys keep their total (all or nothing)', async () => {
    const { store } = h();
    await store.updateMany(['a:1', 'a:2', 'a:3'], () => ({
      result: 0,
      writes: ['30', '30', '30'].map((value) => ({ value, ttlMs: MIN })),
    }));
    const keys = ['a:1', 'a:2', 'a:3'];
    const moved = await Promise.all(
      Array.from({ length: 90 }, (_, i) => {
        const from = keys[i % 3]!;
        const to = keys[(i + 1) % 3]!;
        return store.updateMany([from, to], ([f, t]) =>
          num(f) === 0
            ? { result: false }
            : {
                result: true,
                writes: [
                  { value: String(num(f) - 1), ttlMs: MIN },
                  { value: String(num(t) + 1), ttlMs: MIN },
                ],
              },
        );
      }),
    );
    const values = await Promise.all(keys.map((k) => store.get(k)));
    expect(values.reduce((sum, v) => sum + num(v), 0)).toBe(90);
    expect(moved.filter(Boolean)).toHaveLength(90);
  });

  it('a key read but not written guards the decision under concurrency', async () => {
    const { store } = h();
    // Each grant reads the shared budget and writes it and its own item; a lost update of
    // the budget (or a decision on a stale budget) would grant more than 5.
    const grants = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store.updateMany(['g:budget', `g:item:${i % 8}`], ([budget, item]) =>
          num(budget) >= 5
            ? { result: false }
            : {
                result: true,
                writes: [
                  { value: String(num(budget) + 1), ttlMs: MIN },
                  { value: String(num(item) + 1), ttlMs: MIN },
                ],
              },
        ),
      ),
    );
    expect(grants.filter(Boolean)).toHaveLength(5);
    let items = 0;
    for (let i = 0; i < 8; i += 1) items += num(await store.get(`g:item:${i}`));
    expect([await store.get('g:budget'), items]).toEqual(['5', 5]);
  });
}

/** Registers the `updateMany` cases of the Store contract. */
export function updateManyContract(runner: TestRunner, h: Harness): void {
  basics(runner, h);
  allOrNothing(runner, h);
  atomicity(runner, h);
}
