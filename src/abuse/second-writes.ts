/**
 * The abuse budgets' second writes, off the operation's one write (see `./shield-run`):
 * reservations given back when a start fails after its write without a message leaving, the
 * requester budgets of a start refused for consent before its write, and an approval's
 * bookkeeping that the check's write could not hold. Each is one `updateMany`. @internal
 * @module
 */
import type { VerifyError } from '../errors';
import type { RecordsDecision } from '../feature/records';
import type { Store, StoreWrite } from '../ports/store';
import {
  type BudgetRecords,
  decideSteps,
  type Outcomes,
  type Plan,
  planOf,
  type Step,
  type StepFn,
  writesOf,
} from './shield-run';

const all = () => true;

/** Applies `fn` to the steps' records in one write (the legacy records read too); never throws. */
export function writeSteps<T>(
  store: Store,
  steps: readonly Step[],
  fn: (o: Outcomes, plan: Plan) => { result: T; writes: (StoreWrite | undefined)[] },
): Promise<T | undefined> {
  const plan = planOf(steps, true);
  try {
    return store
      .updateMany(plan.keys, (current) => fn(decideSteps(plan, current), plan))
      .catch(() => undefined);
  } catch {
    return Promise.resolve(undefined);
  }
}

/**
 * Gives back the reservations that landed (one write over their records); `keep` keeps the
 * requester budgets'. Never fails (a lost give-back only over-counts). An undo sees the
 * record as it is (its reservation rewrote it, never in the old layout).
 */
export async function giveBack(
  store: Store,
  steps: readonly Step[],
  o: Outcomes,
  keep: 'requester' | undefined,
): Promise<void> {
  const undo: Step[] = [];
  steps.forEach((s, i) => {
    const u = o.each[i]?.result?.undo;
    if (u && !(s.requester && keep === 'requester')) undo.push({ key: s.key, fn: u as StepFn });
  });
  if (undo.length > 0) {
    await writeSteps(store, undo, (back, plan) => ({
      result: undefined,
      writes: writesOf(plan, back, all),
    }));
  }
}

/**
 * Runs the steps alone (a start refused by a later hook before its write: only the
 * requester budgets' reservations land). Answers the budgets' refusal, if any (a lost
 * reservation of a refused start only under-counts the prober).
 */
export async function requesterOnly(
  store: Store,
  rec: BudgetRecords,
  steps: readonly Step[],
): Promise<VerifyError | undefined> {
  const d = await writeSteps(store, steps, (o, plan) => {
    const refused = o.refusal !== undefined;
    const which = (i: number) => (refused ? o.refusing.has(i) : steps[i]!.requester === true);
    return {
      result: { result: o, ...(refused ? { refused } : {}) } as RecordsDecision<Outcomes>,
      writes: writesOf(plan, o, which),
    };
  });
  return d === undefined ? undefined : rec.done(d, false);
}
