/**
 * The store kit's group commit (`groupCommit`): updates of this process queued on a key (or
 * on overlapping sets of keys) wait while an update holds it, and when it frees, those
 * already waiting run together as one update of the union of their keys: their transitions
 * applied one after another in queue order over the evolving values (`combined`), one
 * all-or-nothing conditional write of the final values, each caller answered with its own
 * result. A lone update runs at once, as itself.
 * @module
 */
import type { MultiStoreTransition, MultiTransition, StoreWrite } from '../../src/ports/store';
import { ttlMsOf } from './last-seen';

/** How large a group may grow: members, and keys over all of them. */
export interface GroupLimits {
  readonly ops: number;
  readonly keys: number;
}

/** 64 updates, 256 keys. */
export const GROUP_LIMITS: GroupLimits = { ops: 64, keys: 256 };

/** What one member of a group came to: its result, or what its transition threw. */
export type MemberOutcome =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: unknown };

/** One queued update. */
interface Member {
  readonly keys: readonly string[];
  readonly fn: MultiTransition<unknown>;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Runs one update (of one caller, or of a group as `combined`). */
export type RunUpdate = <T>(keys: readonly string[], fn: MultiTransition<T>) => Promise<T>;

/**
 * The members' transitions as one over `keys` (the union of theirs): each runs, in order,
 * on the values the ones before it left; one that throws (or writes an invalid TTL) is left
 * out and answered its error, the others still apply. The combined writes are each key's
 * last write. Pure and synchronous like its members, so the store may run it again.
 */
export function combined(
  keys: readonly string[],
  members: readonly Pick<Member, 'keys' | 'fn'>[],
): MultiTransition<MemberOutcome[]> {
  return (current): MultiStoreTransition<MemberOutcome[]> => {
    const values = new Map(keys.map((key, i) => [key, current[i]]));
    const writes = new Map<string, StoreWrite>();
    const outcomes = members.map(({ keys: own, fn }): MemberOutcome => {
      try {
        const step = fn(own.map((key) => values.get(key)));
        const mine = own.flatMap((key, i) => {
          const write = step.writes?.[i];
          if (write && !('delete' in write)) ttlMsOf(write);
          return write ? [[key, write] as const] : [];
        });
        for (const [key, write] of mine) {
          writes.set(key, write);
          values.set(key, 'delete' in write ? undefined : write.value);
        }
        return { ok: true, result: step.result };
      } catch (error) {
        return { ok: false, error };
      }
    });
    return { result: outcomes, writes: keys.map((key) => writes.get(key)) };
  };
}

const overlaps = (keys: readonly string[], set: ReadonlySet<string>) =>
  keys.some((key) => set.has(key));

/** The groups that can start now, in queue order; what cannot stays in `pending`. */
function groupsOf(pending: Member[], busy: ReadonlySet<string>, limits: GroupLimits) {
  const blocked = new Set(busy); // keys held, or wanted by an earlier member left waiting
  const groups: { members: Member[]; keys: Set<string> }[] = [];
  const waiting: Member[] = [];
  for (const member of pending) {
    const joins = groups.filter((g) => overlaps(member.keys, g.keys));
    const group = joins[0];
    const fits =
      joins.length === 0 ||
      (joins.length === 1 &&
        group!.members.length < limits.ops &&
        new Set([...group!.keys, ...member.keys]).size <= limits.keys);
    if (overlaps(member.keys, blocked) || !fits) {
      waiting.push(member);
      for (const key of member.keys) blocked.add(key);
    } else if (group) {
      group.members.push(member);
      for (const key of member.keys) group.keys.add(key);
    } else groups.push({ members: [member], keys: new Set(member.keys) });
  }
  pending.splice(0, pending.length, ...waiting);
  return groups;
}

/**
 * Returns a runner under which updates sharing a key run one after another in call order
 * (updates on disjoint keys run alongside): an update whose keys are free, with nothing
 * queued on them, runs at once through `run`; the others wait, and whenever keys free, the
 * waiting updates that can start (nothing earlier waits on any of their keys) start, those
 * over overlapping keys together as one group (at most `limits`), in queue order.
 *
 * A group is one `run` of `combined`: atomic (its write lands for all or none, and a
 * conflict runs every member again on the current values), each member answered with its own
 * result or its own throw; a rejection of `run` (an outage, the retry budget spent, a failed
 * durability wait) rejects every member.
 */
export function groupCommit(run: RunUpdate, limits: GroupLimits = GROUP_LIMITS) {
  const busy = new Set<string>();
  const pending: Member[] = [];
  const wanted = new Map<string, number>(); // keys of pending members, counted
  const want = (keys: readonly string[], by: 1 | -1) => {
    for (const key of keys) {
      const n = (wanted.get(key) ?? 0) + by;
      if (n === 0) wanted.delete(key);
      else wanted.set(key, n);
    }
  };
  const start = (members: readonly Member[], keys: ReadonlySet<string>) => {
    for (const key of keys) busy.add(key);
    const union = [...keys];
    const done =
      members.length === 1
        ? run(union, members[0]!.fn).then((result) => members[0]!.resolve(result))
        : run(union, combined(union, members)).then((outcomes) => {
            for (const [i, outcome] of outcomes.entries()) {
              if (outcome.ok) members[i]!.resolve(outcome.result);
              else members[i]!.reject(outcome.error);
            }
          });
    void done
      .catch((error: unknown) => {
        for (const member of members) member.reject(error);
      })
      .finally(() => {
        for (const key of keys) busy.delete(key);
        if (pending.length === 0) return;
        const groups = groupsOf(pending, busy, limits);
        for (const group of groups) {
          for (const member of group.members) want(member.keys, -1);
          start(group.members, group.keys);
        }
      });
  };
  return function update<T>(keys: readonly string[], fn: MultiTransition<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const member: Member = {
        keys,
        fn,
        resolve: resolve as (result: unknown) => void,
        reject,
      };
      if (keys.some((key) => busy.has(key) || wanted.has(key))) {
        pending.push(member);
        want(keys, 1);
      } else start([member], new Set(keys));
    });
  };
}
