/**
 * Group commit (./group.ts) through storeKit over a fake batched store whose writes wait for
 * a gate: updates queued behind a busy key run as one conditional write, each caller gets its
 * own result in queue order, a member that throws is left out alone, a conflict runs the whole
 * group again, an outage rejects them all, and a group holds at most its limits.
 */
import { describe, expect, it } from 'vitest';
import type { MultiTransition } from '../../src/ports/store';
import { combined, groupCommit } from './group';
import { storeKit } from './kit';
import type { ManyOutcome, StorePrimitives } from './primitives';

interface Row {
  readonly value: string;
  readonly version: number;
}

/** A versioned map; each write waits for `open()` when gated. `interfere` runs before it. */
function fake(options: { gated?: boolean; interfere?: () => void; fail?: () => boolean } = {}) {
  const rows = new Map<string, Row>();
  let version = 0;
  /** The keys of each batched write, joined. */
  const writes: string[] = [];
  const gates: (() => void)[] = [];
  const put = (key: string, value: string) => {
    version += 1;
    rows.set(key, { value, version });
  };
  const primitives: StorePrimitives<Row> = {
    read: (key) => rows.get(key),
    async readMany(keys) {
      return keys.map((k) => rows.get(k));
    },
    async writeMany(ops): Promise<ManyOutcome<Row>> {
      writes.push(ops.map((op) => op.key).join(','));
      if (options.gated) await new Promise<void>((resolve) => gates.push(resolve));
      options.interfere?.();
      if (options.fail?.()) throw new Error('outage');
      const current = ops.map((op) => rows.get(op.key));
      if (ops.some((op, i) => current[i]?.version !== op.expected?.version)) {
        return { applied: false, current };
      }
      for (const { key, write } of ops) {
        if (write && 'delete' in write) rows.delete(key);
        else if (write) put(key, write.value);
      }
      return { applied: true, records: ops.map((op) => rows.get(op.key)) };
    },
  };
  /** Lets every waiting write proceed, and lets the kit queue what follows. */
  const open = async () => {
    for (let i = 0; i < 20; i += 1) {
      for (const gate of gates.splice(0)) gate();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  return { rows, writes, put, primitives, open };
}

/** Appends `tag` to each key's list; answers the lists it saw. */
const append =
  (tag: string): MultiTransition<string[]> =>
  (current) => ({
    result: current.map((v) => v ?? ''),
    writes: current.map((v) => ({ value: `${v ?? ''}${tag}`, ttlMs: 60_000 })),
  });

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('storeKit, group commit', () => {
  it('a lone update is one write; those queued behind it are one more, each its own result', async () => {
    const f = fake({ gated: true });
    const store = storeKit(f.primitives, { attempts: 4, cacheSize: 100 });
    const first = store.updateMany(['cc'], append('a'));
    await settle();
    const rest = [
      store.updateMany(['v1', 'cc'], append('b')),
      store.update('cc', (v) => ({ result: v, write: { value: `${v}c`, ttlMs: 1000 } })),
      store.updateMany(['v2', 'cc'], append('d')),
    ];
    await f.open();
    expect(await first).toEqual(['']);
    expect(await Promise.all(rest)).toEqual([['', 'a'], 'ab', ['', 'abc']]);
    expect(f.rows.get('cc')?.value).toBe('abcd');
    expect([f.rows.get('v1')?.value, f.rows.get('v2')?.value]).toEqual(['b', 'd']);
    expect(f.writes).toEqual(['cc', 'v1,cc,v2']);
  });

  it('a member that throws is left out and rejected alone; the others apply', async () => {
    const f = fake({ gated: true });
    const store = storeKit(f.primitives, { attempts: 4, cacheSize: 100 });
    const first = store.updateMany(['cc'], append('a'));
    await settle();
    const boom = new Error('boom');
    const rest = [
      store.updateMany(['cc'], append('b')),
      store.updateMany(['cc', 'x'], ([cc]) => {
        if (cc === 'ab') throw boom;
        return append('!')([cc, undefined]);
      }),
      store.updateMany(['cc'], () => ({ result: 'bad ttl', writes: [{ value: 'z', ttlMs: 0 }] })),
      store.updateMany(['cc'], append('c')),
    ];
    const outcomes = Promise.allSettled(rest);
    await f.open();
    await first;
    const settled = await outcomes;
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect((settled[1] as PromiseRejectedResult).reason).toBe(boom);
    expect((settled[2] as PromiseRejectedResult).reason).toBeInstanceOf(RangeError);
    expect(f.rows.get('cc')?.value).toBe('abc');
    expect(f.rows.has('x')).toBe(false);
  });

  it('a conflict runs every member again on the current values; an outage rejects them all', async () => {
    let interfere = 0;
    const f = fake({
      gated: true,
      interfere: () => {
        interfere += 1;
        if (interfere === 2) f.put('cc', 'X');
      },
    });
    const store = storeKit(f.primitives, { attempts: 4, cacheSize: 100 });
    const first = store.updateMany(['cc'], append('a'));
    await settle();
    const rest = [store.updateMany(['cc'], append('b')), store.updateMany(['cc'], append('c'))];
    await f.open();
    await first;
    expect(await Promise.all(rest)).toEqual([['X'], ['Xb']]);
    expect(f.rows.get('cc')?.value).toBe('Xbc');

    let down = false;
    const g = fake({ gated: true, fail: () => down });
    const other = storeKit(g.primitives, { attempts: 4, cacheSize: 100 });
    const lone = other.updateMany(['cc'], append('a'));
    await settle();
    down = true;
    const group = [other.updateMany(['cc'], append('b')), other.updateMany(['cc'], append('c'))];
    const outcomes = Promise.allSettled([lone, ...group]);
    await g.open();
    const reasons = (await outcomes).map((r) => r.status === 'rejected' && String(r.reason));
    expect(reasons).toEqual(Array(3).fill('Error: outage'));
    expect(g.writes).toEqual(['cc', 'cc']); // one write for the group
  });

  it('a group that keeps losing races takes exclusiveMany once, over the union of its keys', async () => {
    const f = fake({ gated: true, interfere: () => f.put('cc', 'X') });
    const locked: string[] = [];
    const store = storeKit(
      {
        ...f.primitives,
        exclusiveMany<T>(keys: readonly string[], fn: MultiTransition<T>) {
          locked.push(keys.join(','));
          const { result, writes } = fn(keys.map((k) => f.rows.get(k)?.value));
          for (const [i, w] of (writes ?? []).entries())
            if (w && 'value' in w) f.put(keys[i]!, w.value);
          return { result };
        },
      },
      { attempts: 2, cacheSize: 0 },
    );
    const first = store.updateMany(['cc'], append('a'));
    await settle();
    const rest = [
      store.updateMany(['cc', 'v'], append('b')),
      store.updateMany(['cc'], append('c')),
    ];
    await f.open();
    expect(await first).toEqual(['X']);
    // The other writer rewrote cc before each write, the last time before the locked run.
    expect(await Promise.all(rest)).toEqual([['X', ''], ['Xb']]);
    expect(locked).toEqual(['cc', 'cc,v']);
    expect([f.rows.get('cc')?.value, f.rows.get('v')?.value]).toEqual(['Xbc', 'b']);
  });

  it('in queue order: a waiting update over a busy key holds back later ones that share its keys', async () => {
    const f = fake({ gated: true });
    const store = storeKit(f.primitives, { attempts: 4, cacheSize: 0 });
    const first = store.updateMany(['a'], append('1'));
    await settle();
    const waits = store.updateMany(['a', 'b'], append('2')); // queued behind a
    const later = store.updateMany(['b'], append('3')); // b is free, but 2 came first
    const free = store.updateMany(['c'], append('4')); // shares nothing: runs at once
    await f.open();
    await Promise.all([first, waits, later, free]);
    expect([f.rows.get('a')?.value, f.rows.get('b')?.value]).toEqual(['12', '23']);
    expect(f.writes.slice(0, 2)).toEqual(['a', 'c']);
  });
});

describe('groupCommit', () => {
  it('takes at most `ops` members or `keys` keys per group, and never a lone update late', async () => {
    const runs: string[][] = [];
    const gates: (() => void)[] = [];
    const run = async <T>(keys: readonly string[], fn: MultiTransition<T>) => {
      runs.push([...keys]);
      await new Promise<void>((resolve) => gates.push(resolve));
      return fn(keys.map(() => undefined)).result;
    };
    const update = groupCommit(run, { ops: 3, keys: 4 });
    const noop: MultiTransition<number> = () => ({ result: 1 });
    const all = [update(['k'], noop)];
    expect(runs).toEqual([['k']]); // started at once
    for (let i = 0; i < 7; i += 1) all.push(update(['k', `v${i}`], noop));
    for (let i = 0; i < 10; i += 1) {
      for (const gate of gates.splice(0)) gate();
      await settle();
    }
    expect(await Promise.all(all)).toEqual(Array(8).fill(1));
    // 3 ops then 3 more (4 keys), then the last.
    expect(runs.map((keys) => keys.length)).toEqual([1, 4, 4, 2]);
  });

  it('combined: each member sees the values those before it left, and a delete', () => {
    const step = combined(
      ['a', 'b'],
      [
        { keys: ['a'], fn: () => ({ result: 1, writes: [{ value: 'x', ttlMs: 5 }] }) },
        {
          keys: ['b', 'a'],
          fn: ([b, a]) => ({ result: [b, a], writes: [undefined, { delete: true }] }),
        },
        { keys: ['a'], fn: ([a]) => ({ result: a }) },
      ],
    )(['0', undefined]);
    expect(step.result).toEqual([
      { ok: true, result: 1 },
      { ok: true, result: [undefined, 'x'] },
      { ok: true, result: undefined },
    ]);
    expect(step.writes).toEqual([{ delete: true }, undefined]);
  });
});
