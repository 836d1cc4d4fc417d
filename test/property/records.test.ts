/**
 * The composition of the features' records with an operation's own transition
 * (src/feature/records.ts) is all or nothing: a refusing feature stops the operation (only
 * the refusing features' own writes land, the verification's record is untouched and its
 * transition does not run); otherwise each feature's `writes` land when the transition
 * approves, its `spent` writes whatever it decides. Random features and outcomes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composedKeys, composeRecords, type OperationRecords } from '../../src/feature/records';
import type { StoreWrite } from '../../src/ports/store';

const write = fc.option(
  fc.oneof(
    fc.record({ value: fc.string({ maxLength: 4 }), ttlMs: fc.integer({ min: 1, max: 9 }) }),
    fc.constant({ delete: true as const }),
  ),
  { nil: undefined },
);

const feature = fc.integer({ min: 0, max: 3 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    refused: fc.boolean(),
    writes: fc.option(fc.array(write, { minLength: n, maxLength: n }), { nil: undefined }),
    spent: fc.option(fc.array(write, { minLength: n, maxLength: n }), { nil: undefined }),
  }),
);

describe('composeRecords', () => {
  it('lands every write or none, as the decisions and the transition say', () => {
    fc.assert(
      fc.property(
        fc.array(feature, { maxLength: 4 }),
        fc.boolean(),
        write,
        (features, approved, own) => {
          let ran = 0;
          const parts: OperationRecords[] = features.map((f, i) => ({
            keys: Array.from({ length: f.n }, (_, j) => `f${i}:${j}`),
            decide: (current) => {
              expect(current).toHaveLength(f.n);
              return {
                result: i,
                ...(f.refused ? { refused: true } : {}),
                ...(f.writes ? { writes: f.writes } : {}),
                ...(f.spent ? { spent: f.spent } : {}),
              };
            },
            done: () => undefined,
          }));
          const fn = composeRecords(parts, () => {
            ran += 1;
            return { result: 'own', write: own, approved };
          });
          const keys = composedKeys('phone:x', parts);
          const out = fn(keys.map(() => undefined));
          const anyRefused = features.some((f) => f.refused);
          const none = (n: number): (StoreWrite | undefined)[] => new Array(n).fill(undefined);
          const expected: (StoreWrite | undefined)[] = [anyRefused ? undefined : own];
          for (const f of features) {
            if (anyRefused) expected.push(...(f.refused && f.writes ? f.writes : none(f.n)));
            else expected.push(...((approved ? f.writes : undefined) ?? f.spent ?? none(f.n)));
          }
          expect(ran).toBe(anyRefused ? 0 : 1);
          expect(out.result.step).toBe(anyRefused ? undefined : 'own');
          expect(out.result.decisions.map((d) => d.result)).toEqual(features.map((_, i) => i));
          expect(out.writes).toEqual(expected);
          expect(out.writes).toHaveLength(keys.length);
        },
      ),
    );
  });
});
