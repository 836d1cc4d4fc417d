/**
 * A feature's share of an operation's one atomic store write (`OperationRecords`), and the
 * pure composition of the features' shares with the operation's own transition into one
 * multi-key transition (`composeRecords`), which the shell hands to `store.updateMany`.
 *
 * Functional core: every decision of an operation (its budgets, its approval bookkeeping,
 * the verification itself) is a pure function of the records it reads and the operation's
 * one timestamp; the shell reads and writes them all at once, so a `start` or a `check` is
 * one round trip whatever the features. All or nothing:
 * - a feature that refuses stops the operation: the verification is not touched and no
 *   other feature's reservation is written (only the refusing feature's own bookkeeping,
 *   such as a pause it trips, lands);
 * - otherwise the operation's transition decides; each feature's `writes` land only when it
 *   approves (a `start` that may send, a `check` that approves), its `spent` writes whenever
 *   it ran (a check spends its budget whether the code was right or wrong).
 * @module
 */
import type { VerifyError } from '../errors';
import type { StoreWrite } from '../ports/store';

/** What one feature decided over its records (`writes[i]`, `spent[i]` for its `keys[i]`). */
export interface RecordsDecision<T = unknown> {
  readonly result: T;
  /** The feature refuses the operation. */
  readonly refused?: boolean;
  /**
   * Land when the operation's transition approves; when `refused`, land alone (the refusing
   * feature's own bookkeeping). Replace `spent` on approval (include its changes).
   */
  readonly writes?: readonly (StoreWrite | undefined)[];
  /** Land whenever the operation's transition runs, whatever it decides. */
  readonly spent?: readonly (StoreWrite | undefined)[];
  /**
   * The feature needs more records to decide (a record in an older layout names another):
   * nothing is written, the feature's `widen` is called and the write runs again.
   */
  readonly again?: boolean;
}

/** A feature's share of an operation's one store write. */
export interface OperationRecords<T = unknown> {
  /** The records it reads (distinct from the verification's and every other feature's). */
  readonly keys: readonly string[];
  /** Pure and synchronous (the store may run it more than once); `current[i]` is `keys[i]`'s. */
  decide(current: readonly (string | undefined)[]): RecordsDecision<T>;
  /**
   * Told the decision that landed once the write is acknowledged (`approved`: the operation's
   * transition approved, so `writes` landed). Publishes what the feature publishes; answers
   * its refusal as the catalog error.
   */
  done(decision: RecordsDecision<T>, approved: boolean): VerifyError | undefined;
  /** After a decision asked `again`: `keys` now lists the records it needs as well. */
  widen?(): void;
}

/** The composed transition's result: each feature's decision, and the operation's own. */
export interface Composed<S> {
  readonly decisions: readonly RecordsDecision[];
  /** Undefined when a feature refused (the operation's transition did not run). */
  readonly step: S | undefined;
}

const none = (n: number): (StoreWrite | undefined)[] => new Array(n).fill(undefined);

/**
 * The keys of one multi-key write: the verification's record first, then each feature's.
 */
export function composedKeys(key: string, parts: readonly OperationRecords[]): string[] {
  const keys = [key];
  for (const p of parts) for (const k of p.keys) keys.push(k);
  return keys;
}

/**
 * Composes the features' shares with the operation's transition `run` (over the first
 * record; it answers its result, its write and whether it approved) into one pure
 * multi-key transition over `composedKeys(key, parts)`.
 */
export function composeRecords<S>(
  parts: readonly OperationRecords[],
  run: (current: string | undefined) => {
    readonly result: S;
    readonly write: StoreWrite | undefined;
    readonly approved: boolean;
  },
): (current: readonly (string | undefined)[]) => {
  readonly result: Composed<S>;
  readonly writes: readonly (StoreWrite | undefined)[];
} {
  return (current) => {
    const decisions: RecordsDecision[] = [];
    let refused = false;
    let again = false;
    let at = 1;
    for (const p of parts) {
      const d = p.decide(current.slice(at, at + p.keys.length));
      at += p.keys.length;
      decisions.push(d);
      refused ||= d.refused === true;
      again ||= d.again === true;
    }
    if (again) return { result: { decisions, step: undefined }, writes: [] };
    const writes: (StoreWrite | undefined)[] = [undefined];
    if (refused) {
      parts.forEach((p, i) => {
        const d = decisions[i]!;
        writes.push(...(d.refused && d.writes ? d.writes : none(p.keys.length)));
      });
      return { result: { decisions, step: undefined }, writes };
    }
    const own = run(current[0]);
    writes[0] = own.write;
    parts.forEach((p, i) => {
      const d = decisions[i]!;
      writes.push(...((own.approved ? d.writes : undefined) ?? d.spent ?? none(p.keys.length)));
    });
    return { result: { decisions, step: own.result }, writes };
  };
}
