/**
 * How the abuse shield runs the budgets of one operation: as its share of the operation's
 * one atomic write (`OperationRecords`, src/feature/records.ts). Each budget is a pure
 * transition over its record; together they decide in one pass over every record, the first
 * refusal in step order wins, and either every budget's reservation lands with the
 * operation or none does (a refusing budget's own bookkeeping, such as a pause it trips,
 * lands alone). A reservation is given back (a second write) only when the operation ends
 * without a message leaving after its write. @internal
 * @module
 */
import type { VerifyError } from '../errors';
import type { Publish } from '../feature/events';
import type { OperationRecords, RecordsDecision } from '../feature/records';
import type { Store, StoreTransition, StoreWrite } from '../ports/store';
import type { AbuseRefusal, Reservation } from './records';
import { publishNotice, type RefusalMeta, refusedError } from './refusals';

/**
 * One budget of an operation: its record's key (and, for a merged prefix record, the key of
 * its old velocity log, read only) and its pure transition. Refusals rank by position in the
 * list, except a `late` one, which ranks at `late` (a merged prefix record's velocity limit
 * ranks with the prefix limits).
 */
export interface Step {
  readonly key: string;
  readonly legacyKey?: string;
  /**
   * `legacy`: the record under `legacyKey` when it was read (`undefined`: absent), `NOT_READ`
   * when not; a step that needs it then answers `{ legacy: true }` (see `Merged`).
   */
  readonly fn: StepFn;
  late?: number;
  /** A requester budget (kept by a start refused for consent). */
  requester?: true;
}

/** A legacy record that was not read (see `Step.fn`). */
export const NOT_READ: unique symbol = Symbol('not read');

/**
 * A step's transition. Its result is a reservation, `undefined` (bookkeeping: never
 * refuses) or `{ legacy: true }` (it needs the record under `legacyKey`).
 */
export type StepFn = (
  raw: string | undefined,
  legacy: string | undefined | typeof NOT_READ,
) => StoreTransition<Reservation | undefined>;

/** Steps with the records they read: `keys`, and each step's index in it (`at`, `legacyAt`). */
export interface Plan {
  readonly steps: readonly Step[];
  readonly keys: readonly string[];
  readonly at: readonly number[];
  /** -1: not read. */
  readonly legacyAt: readonly number[];
}

/** The budgets' outcomes, one per step, and the winning refusal. */
export interface Outcomes {
  /** A step found a record in the old layout: run again with the legacy keys read. */
  readonly again: boolean;
  readonly each: readonly StoreTransition<Reservation | undefined>[];
  readonly refusal: AbuseRefusal | undefined;
  /** Index of the refusing steps (their own bookkeeping lands). */
  readonly refusing: ReadonlySet<number>;
}

export interface ShieldDeps {
  readonly store: Store;
  /** Subkey for hashing requester values and prefixes. */
  readonly key: Uint8Array;
  readonly publish: Publish;
  readonly storeError: (e: unknown) => VerifyError;
}

/**
 * The steps' plan: the distinct keys they read (a key read by two steps once); with
 * `legacy`, the keys of the records in the old layout too.
 */
export function planOf(steps: readonly Step[], legacy: boolean): Plan {
  const keys: string[] = [];
  const index = (k: string) => {
    const i = keys.indexOf(k);
    return i === -1 ? keys.push(k) - 1 : i;
  };
  const at = steps.map((st) => index(st.key));
  const legacyAt = steps.map((st) =>
    legacy && st.legacyKey !== undefined ? index(st.legacyKey) : -1,
  );
  return { steps, keys, at, legacyAt };
}

/**
 * Runs the steps over the records (`current[i]` for `plan.keys[i]`), in order: a step sees
 * the writes of the earlier steps to its record. Pure.
 */
export function decideSteps(plan: Plan, current: readonly (string | undefined)[]): Outcomes {
  const { steps, at, legacyAt } = plan;
  const cur = current.slice();
  const each: StoreTransition<Reservation | undefined>[] = [];
  const refusing = new Set<number>();
  let refusal: AbuseRefusal | undefined;
  let rank = Number.POSITIVE_INFINITY;
  let again = false;
  for (let i = 0; i < steps.length; i += 1) {
    const l = legacyAt[i]!;
    const t = steps[i]!.fn(cur[at[i]!], l === -1 ? NOT_READ : cur[l]);
    each.push(t);
    if (t.write) cur[at[i]!] = 'value' in t.write ? t.write.value : undefined;
    const r = t.result;
    if (r === undefined) continue;
    if ((r as { legacy?: unknown }).legacy === true) again = true;
    if (r.refusal) {
      refusing.add(i);
      const rk = r.late ? (steps[i]!.late ?? i) : i;
      if (rk < rank) {
        rank = rk;
        refusal = r.refusal;
      }
    }
  }
  return { again, each, refusal, refusing };
}

/** The writes of the steps `which` selects, per key (a later step's write to a key wins). */
export function writesOf(
  plan: Plan,
  o: Outcomes,
  which: (i: number) => boolean,
): (StoreWrite | undefined)[] {
  const writes: (StoreWrite | undefined)[] = new Array(plan.keys.length).fill(undefined);
  o.each.forEach((t, i) => {
    if (t.write && which(i)) writes[plan.at[i]!] = t.write;
  });
  return writes;
}

const all = () => true;

/** The budgets of an operation as its share of the operation's one write. */
export interface BudgetRecords extends OperationRecords<Outcomes> {
  /** The keys the plan reads (replaced by `widen`). */
  keys: readonly string[];
  /** The outcomes that landed with an approved operation (for `giveBack`); set by `done`. */
  landed: Outcomes | undefined;
  /** Whether `done` ran (the operation's write was made). */
  ran: boolean;
}

/**
 * The steps as one feature share: refused, only the refusing budgets' bookkeeping lands;
 * else every reservation lands if the operation approves. Notices are published for what
 * landed.
 */
export function budgetRecords(
  steps: readonly Step[],
  at: number,
  meta: RefusalMeta,
  publish: Publish,
  checks?: number,
): BudgetRecords {
  let plan = planOf(steps, false);
  const isCheck = (i: number) => i < (checks ?? 0);
  // `keys` is a plain property that `widen` replaces, not a getter: an object literal with
  // a getter gets a hidden class of its own per call, held in the old generation, which keeps
  // each operation's closures (and everything they capture) alive past young-generation
  // collections; the defaults cycle spent about a fifth more CPU time in the collector.
  const rec: BudgetRecords = {
    keys: plan.keys,
    landed: undefined,
    ran: false,
    widen() {
      plan = planOf(steps, true);
      rec.keys = plan.keys;
    },
    decide(current): RecordsDecision<Outcomes> {
      const o = decideSteps(plan, current);
      if (o.again) return { result: o, again: true };
      if (checks !== undefined) {
        // A check: its first `checks` steps (budgets) are spent whatever the code; the rest
        // (approval bookkeeping) lands only with an approval. A refused check writes nothing.
        if (o.refusal !== undefined) return { result: o, refused: true };
        return { result: o, spent: writesOf(plan, o, isCheck), writes: writesOf(plan, o, all) };
      }
      if (o.refusal !== undefined) {
        const writes = writesOf(plan, o, (i) => o.refusing.has(i));
        return { result: o, refused: true, writes };
      }
      return { result: o, writes: writesOf(plan, o, all) };
    },
    done(d, approved) {
      rec.ran = true;
      const o = d.result;
      if (o.refusal === undefined && !approved) return undefined;
      o.each.forEach((t, i) => {
        if (o.refusal !== undefined && !o.refusing.has(i)) return;
        for (const n of t.result?.notices ?? []) publishNotice(publish, n, at, meta.to);
      });
      if (o.refusal !== undefined) return refusedError(publish, o.refusal, at, meta);
      rec.landed = o;
      return undefined;
    },
  };
  return rec;
}
