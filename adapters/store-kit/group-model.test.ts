/**
 * Group commit against a sequential model (fast-check): random updates over a few keys,
 * issued in random bursts to storeKit over a fake store whose writes take random time and
 * sometimes conflict (another writer rewrites a record with the same value: a new version).
 * Every caller must get what applying all updates one by one in call order gives it (its
 * result, or its own throw), and the store must end where that sequence ends: updates over
 * overlapping keys apply in call order, a throw is its caller's only, nothing is lost.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MultiTransition } from '../../src/ports/store';
import { storeKit } from './kit';
import type { ManyOutcome, StorePrimitives } from './primitives';

interface Row {
  readonly value: string;
  readonly version: number;
}

const KEYS = ['a', 'b', 'c', 'd'];

interface Op {
  readonly keys: string[];
  readonly tag: string;
  /** Throws when the first key's value has this many characters mod 3. */
  readonly throwsAt: number | undefined;
  /** Settle this many macrotasks before issuing the next op. */
  readonly pause: number;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  keys: fc.shuffledSubarray(KEYS, { minLength: 1 }),
  tag: fc.constantFrom('x', 'y', 'z'),
  throwsAt: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
  pause: fc.integer({ min: 0, max: 2 }),
});

/** The op's transition: appends its tag to each key, answers what it saw. */
function transition(op: Op): MultiTransition<string> {
  return (current) => {
    const seen = current.map((v) => v ?? '');
    if (op.throwsAt !== undefined && seen[0]!.length % 3 === op.throwsAt) {
      throw new Error(`throws on ${seen[0]}`);
    }
    return {
      result: seen.join('|'),
      writes: seen.map((v) => ({ value: `${v}${op.tag}`, ttlMs: 60_000 })),
    };
  };
}

/** Applies `ops` one by one in order: each one's outcome, and the values at the end. */
function sequential(ops: readonly Op[]) {
  const values = new Map<string, string>();
  const outcomes = ops.map((op) => {
    try {
      const step = transition(op)(op.keys.map((k) => values.get(k)));
      for (const [i, w] of (step.writes ?? []).entries()) {
        if (w && 'value' in w) values.set(op.keys[i]!, w.value);
      }
      return `ok ${step.result}`;
    } catch (e) {
      return `threw ${(e as Error).message}`;
    }
  });
  return { outcomes, values };
}

function fake(delays: () => number, conflicts: () => boolean) {
  const rows = new Map<string, Row>();
  let version = 0;
  const primitives: StorePrimitives<Row> = {
    read: (key) => rows.get(key),
    async readMany(keys) {
      return keys.map((k) => rows.get(k));
    },
    async writeMany(ops): Promise<ManyOutcome<Row>> {
      for (let i = delays(); i > 0; i -= 1) await new Promise((r) => setTimeout(r, 0));
      if (conflicts()) {
        const row = rows.get(ops[0]!.key);
        version += 1;
        if (row) rows.set(ops[0]!.key, { value: row.value, version });
      }
      const current = ops.map((op) => rows.get(op.key));
      if (ops.some((op, i) => current[i]?.version !== op.expected?.version)) {
        return { applied: false, current };
      }
      for (const { key, write } of ops) {
        version += 1;
        if (write && 'value' in write) rows.set(key, { value: write.value, version });
      }
      return { applied: true, records: ops.map((op) => rows.get(op.key)) };
    },
  };
  return { rows, primitives };
}

describe('group commit, against applying the updates one by one in call order', () => {
  it('each caller gets its sequential outcome and the store ends as the sequence does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 30 }),
        fc.infiniteStream(fc.integer({ min: 0, max: 3 })),
        fc.infiniteStream(fc.integer({ min: 0, max: 9 })),
        fc.integer({ min: 0, max: 100 }),
        async (ops, delays, rolls, cacheSize) => {
          const d = delays[Symbol.iterator]();
          const r = rolls[Symbol.iterator]();
          const f = fake(
            () => d.next().value as number,
            () => (r.next().value as number) === 0,
          );
          const store = storeKit(f.primitives, { attempts: 1000, cacheSize });
          const calls: Promise<string>[] = [];
          for (const op of ops) {
            calls.push(
              store.updateMany(op.keys, transition(op)).then(
                (result) => `ok ${result}`,
                (e: Error) => `threw ${e.message}`,
              ),
            );
            for (let i = 0; i < op.pause; i += 1) await new Promise((res) => setTimeout(res, 0));
          }
          const model = sequential(ops);
          expect(await Promise.all(calls)).toEqual(model.outcomes);
          for (const key of KEYS) expect(f.rows.get(key)?.value).toBe(model.values.get(key));
        },
      ),
      { numRuns: 150 },
    );
  });
});
