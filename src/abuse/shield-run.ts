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
  readonly fn: (
    raw: string | undefined,
    legacy: string | undefined | typeof NOT_READ,
  ) => StoreTransition<Reservation>;
  late?: number;
  /** A requester budget (kept by a start refused for consent). */
  requester?: true;
}

/** A legacy record that was not read (see `Step.fn`). */
export const NOT_READ: unique symbol = Symbol('not read');

/** The budgets' outcomes, one per step, and the winning refusal. */
export interface Outcomes {
  /** A step found a record in the old layout: run again with the legacy keys read. */
  readonly again: boolean;
  readonly each: readonly StoreTransition<Reservation>[];
  readonly refusal: AbuseRefusal | undefined;
  /** Index of the refusing steps (their own bookkeeping lands). */
  readonly refusing: ReadonlySet<number>;
}

export interface ShieldDeps {
  readonly store: Store;
  /** Subkey for hashing requester values and prefixes. */
  readonly key: Buffer;
  readonly publish: Publish;
  readonly storeError: (e: unknown) => VerifyError;
}

/**
 * The distinct keys the steps read (a key read by two steps once); with `legacy`, the keys of
 * the records in the old layout too.
 */
export function keysOf(steps: readonly Step[], legacy: boolean): string[] {
  const keys = new Set<string>();
  for (const s of steps) {
    keys.add(s.key);
    if (legacy && s.legacyKey !== undefined) keys.add(s.legacyKey);
  }
  return [...keys];
}

const valueOf = (w: StoreWrite): string | undefined => ('value' in w ? w.value : undefined);

/**
 * Runs the steps over the records (`current[i]` for `keys[i]`), in order: a step sees the
 * writes of the earlier steps to its record. Pure.
 */
export function decideSteps(
  steps: readonly Step[],
  keys: readonly string[],
  current: readonly (string | undefined)[],
): Outcomes {
  const cur = new Map<string, string | undefined>();
  keys.forEach((k, i) => {
    cur.set(k, current[i]);
  });
  const each: StoreTransition<Reservation>[] = [];
  const refusing = new Set<number>();
  let refusal: AbuseRefusal | undefined;
  let rank = Number.POSITIVE_INFINITY;
  let again = false;
  steps.forEach((s, i) => {
    const l = s.legacyKey;
    const t = s.fn(cur.get(s.key), l === undefined || !cur.has(l) ? NOT_READ : cur.get(l));
    again ||= (t.result as { legacy?: unknown }).legacy === true;
    each.push(t);
    if (t.write) cur.set(s.key, valueOf(t.write));
    if (t.result.refusal) {
      refusing.add(i);
      const r = t.result.late ? (s.late ?? i) : i;
      if (r < rank) {
        rank = r;
        refusal = t.result.refusal;
      }
    }
  });
  return { again, each, refusal, refusing };
}

/** The writes of the steps `which` selects, per key (a later step's write to a key wins). */
export function writesOf(
  steps: readonly Step[],
  keys: readonly string[],
  o: Outcomes,
  which: (i: number) => boolean,
): (StoreWrite | undefined)[] {
  const at = new Map(keys.map((k, i) => [k, i]));
  const writes: (StoreWrite | undefined)[] = new Array(keys.length).fill(undefined);
  o.each.forEach((t, i) => {
    if (t.write && which(i)) writes[at.get(steps[i]!.key)!] = t.write;
  });
  return writes;
}

/** The budgets of an operation as its share of the operation's one write. */
export interface BudgetRecords extends OperationRecords<Outcomes> {
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
  let keys = keysOf(steps, false);
  const rec: BudgetRecords = {
    get keys() {
      return keys;
    },
    landed: undefined,
    ran: false,
    widen() {
      keys = keysOf(steps, true);
    },
    decide(current): RecordsDecision<Outcomes> {
      const o = decideSteps(steps, keys, current);
      if (o.again) return { result: o, again: true };
      if (checks !== undefined) {
        // A check: its first `checks` steps (budgets) are spent whatever the code; the rest
        // (approval bookkeeping) lands only with an approval. A refused check writes nothing.
        if (o.refusal !== undefined) return { result: o, refused: true };
        const spent = writesOf(steps, keys, o, (i) => i < checks);
        return { result: o, spent, writes: writesOf(steps, keys, o, () => true) };
      }
      if (o.refusal !== undefined) {
        return {
          result: o,
          refused: true,
          writes: writesOf(steps, keys, o, (i) => o.refusing.has(i)),
        };
      }
      return { result: o, writes: writesOf(steps, keys, o, () => true) };
    },
    done(d, approved) {
      rec.ran = true;
      const o = d.result;
      if (o.refusal === undefined && !approved) return undefined;
      o.each.forEach((t, i) => {
        if (o.refusal !== undefined && !o.refusing.has(i)) return;
        for (const n of t.result.notices ?? []) publishNotice(publish, n, at, meta.to);
      });
      if (o.refusal !== undefined) return refusedError(publish, o.refusal, at, meta);
      rec.landed = o;
      return undefined;
    },
  };
  return rec;
}

/**
 * Gives back the reservations that landed (one write over their records); `keep` keeps the
 * requester budgets'. Never fails (a lost give-back only over-counts).
 */
export async function giveBack(
  store: Store,
  steps: readonly Step[],
  o: Outcomes,
  keep: 'requester' | undefined,
): Promise<void> {
  const undo = steps.flatMap((s, i) => {
    const u = o.each[i]?.result.undo;
    return u && !(s.requester && keep === 'requester') ? [[s.key, u] as const] : [];
  });
  if (undo.length === 0) return;
  const keys = [...new Set(undo.map(([k]) => k))];
  // An undo sees the record as it is (never the old layout: its reservation rewrote it).
  const at = new Map(keys.map((k, i) => [k, i]));
  await store
    .updateMany(keys, (current) => {
      const cur = [...current];
      const writes: (StoreWrite | undefined)[] = new Array(keys.length).fill(undefined);
      for (const [k, u] of undo) {
        const i = at.get(k)!;
        const w = u(cur[i]).write;
        if (w) {
          writes[i] = w;
          cur[i] = valueOf(w);
        }
      }
      return { result: undefined, writes };
    })
    .catch(() => undefined);
}

/**
 * Runs the steps alone (a start refused by a later hook before its write: only the
 * requester budgets' reservations land). Answers the budgets' refusal, if any.
 */
export async function requesterOnly(
  store: Store,
  rec: BudgetRecords,
  steps: readonly Step[],
): Promise<VerifyError | undefined> {
  const keys = keysOf(steps, true);
  try {
    const d = await store.updateMany(keys, (current) => {
      const o = decideSteps(steps, keys, current);
      const refused = o.refusal !== undefined;
      const which = (i: number) => (refused ? o.refusing.has(i) : steps[i]!.requester === true);
      return {
        result: { result: o, ...(refused ? { refused } : {}) },
        writes: writesOf(steps, keys, o, which),
      };
    });
    return rec.done(d, false);
  } catch {
    // As before: a lost reservation of a refused start only under-counts the prober.
    return undefined;
  }
}
