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
  readonly fn: (
    raw: string | undefined,
    legacy: string | undefined,
  ) => StoreTransition<Reservation>;
  late?: number;
  /** A requester budget (kept by a start refused for consent). */
  requester?: true;
}

/** The budgets' outcomes, one per step, and the winning refusal. */
export interface Outcomes {
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

/** The distinct keys the steps read (a key read by two steps once). */
export function keysOf(steps: readonly Step[]): string[] {
  const keys = new Set<string>();
  for (const s of steps) {
    keys.add(s.key);
    if (s.legacyKey !== undefined) keys.add(s.legacyKey);
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
  steps.forEach((s, i) => {
    const t = s.fn(cur.get(s.key), s.legacyKey === undefined ? undefined : cur.get(s.legacyKey));
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
  return { each, refusal, refusing };
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
): BudgetRecords {
  const keys = keysOf(steps);
  const rec: BudgetRecords = {
    keys,
    landed: undefined,
    ran: false,
    decide(current): RecordsDecision<Outcomes> {
      const o = decideSteps(steps, keys, current);
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
  const keys = rec.keys;
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
