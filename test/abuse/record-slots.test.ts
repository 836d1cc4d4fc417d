/**
 * Record slots (src/abuse/records.ts): a budget's transitions given their record's key find
 * the record they last decoded or wrote there instead of parsing its text again. Shown here:
 * with slots, every transition answers and writes exactly what it does without them, over
 * random sequences that include writes that never land (the slot then holds a text the
 * store does not); and no transition mutates a record it was shown (each runs over
 * deep-frozen records, so a mutation throws).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countrySend,
  globalSend,
  prefixSend,
  prefixVerified,
  requesterCheck,
  requesterSend,
} from '../../src/abuse/budgets';
import { conversionApproved, conversionSend } from '../../src/abuse/conversion';
import { resolveAbuse } from '../../src/abuse/options';
import { prefixGuardApproved, prefixGuardSend } from '../../src/abuse/prefix-guard';
import { slotOf } from '../../src/abuse/records';
import type { StoreTransition, Transition } from '../../src/ports/store';

const a = resolveAbuse({
  requesters: {
    ip: {
      destinations: [{ windowMs: 600_000, max: 3 }],
      sends: [{ windowMs: 60_000, max: 4 }],
      checks: [{ windowMs: 60_000, max: 5 }],
    },
  },
  global: { messagesPerDay: 20 },
  countries: { hourlyCaps: { '*': 6 } },
});
const budget = a.requesters.get('ip')!;
const conv = resolveAbuse({
  conversion: { minSends: { prefix: 3, country: 3 }, minRequesters: 1 },
}).conversion!;
const prefix = { windowMs: 600_000, max: 3, trailingDigits: 4 };

function deepFreeze(x: unknown): void {
  if (typeof x !== 'object' || x === null || Object.isFrozen(x)) return;
  Object.freeze(x);
  for (const v of Object.values(x)) deepFreeze(v);
}

type Build = (now: number, tag: string, key: string | undefined) => Transition<unknown>;

/** Every budget transition, each over its own record. */
const kinds: readonly (readonly [string, Build])[] = [
  ['req', (now, tag, key) => requesterSend(budget, now, tag, key)],
  ['req', (now, _tag, key) => requesterCheck(budget, now, key)],
  ['pfx', (now, tag, key) => prefixSend(prefix, now, tag, key)],
  ['pfx', (now, tag, key) => prefixVerified(prefix, now, tag, key)],
  ['cc', (now, _tag, key) => countrySend(6, now, key)],
  ['global', (now, _tag, key) => globalSend(a.global!, now, 1, key)],
  ['conv', (now, tag, key) => conversionSend(conv, 'country', now, 'start', who(tag), key)],
  ['conv', (now, tag, key) => conversionApproved(conv, now, tag.slice(0, 6), key)],
  ['merged', (now, tag, key) => prefixGuardSend(conv, prefix, now, tag, who(tag), [], key)],
  ['merged', (now, tag, key) => prefixGuardApproved(conv, prefix, now, tag, [], key)],
];

const who = (tag: string) => ({ req: `r${tag.slice(0, 5)}`, entry: `r${tag.slice(0, 5)}${tag}` });

interface Op {
  readonly kind: number;
  readonly dt: number;
  readonly tag: number;
  /** Give the reservation back afterwards (when there is one). */
  readonly undo: boolean;
  /** The write does not land (a conflict, a refusal elsewhere in the operation). */
  readonly lost: boolean;
}

/** Runs `ops`, with slots when `keyed` (namespaced by `run`), and logs every outcome. */
function play(ops: readonly Op[], keyed: boolean, run: number): string[] {
  const held = new Map<string, string>();
  const log: string[] = [];
  let now = 1_700_000_000_000;
  const apply = (key: string, t: StoreTransition<unknown>, lost: boolean) => {
    const { result, write } = t;
    log.push(JSON.stringify(result, (_k, v) => (typeof v === 'function' ? 'fn' : v)));
    log.push(write === undefined ? '-' : 'delete' in write ? 'delete' : write.value);
    if (write === undefined || lost) return;
    if ('delete' in write) held.delete(key);
    else held.set(key, write.value);
  };
  const step = (key: string, fn: Transition<unknown>, lost: boolean) => {
    if (keyed) deepFreeze(slotOf(key)!.record);
    const t = fn(held.get(key));
    apply(key, t, lost);
    return t;
  };
  for (const op of ops) {
    now += op.dt;
    const [kind, build] = kinds[op.kind]!;
    const key = `slots:${run}:${kind}`;
    const tag = `tag${op.tag}abcdefgh`;
    const t = step(key, build(now, tag, keyed ? key : undefined), op.lost);
    const undo = (t.result as { undo?: Transition<void> } | undefined)?.undo;
    if (op.undo && undo) step(key, undo, false);
  }
  return log;
}

describe('record slots', () => {
  it('change nothing a transition answers or writes, and no transition mutates a record', () => {
    let run = 0;
    const op = fc.record({
      kind: fc.integer({ min: 0, max: kinds.length - 1 }),
      dt: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 120_000 })),
      tag: fc.integer({ min: 0, max: 5 }),
      undo: fc.boolean(),
      lost: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        run += 1;
        expect(play(ops, true, run)).toEqual(play(ops, false, run));
      }),
      { numRuns: 300 },
    );
  });

  it('a text the slot does not hold is parsed, even one equal to it from another source', () => {
    const key = 'slots:text';
    const first = requesterCheck(budget, 1_700_000_000_000, key)(undefined).write;
    if (first === undefined || 'delete' in first) throw new Error('expected a value');
    const copy = ` ${first.value}`.slice(1);
    const again = requesterCheck(budget, 1_700_000_000_001, key)(copy).write;
    const plain = requesterCheck(budget, 1_700_000_000_001)(copy).write;
    expect(again).toEqual(plain);
  });
});
