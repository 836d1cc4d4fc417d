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
  let slots: number[][] | undefined; // each member's keys as positions in `keys`, found once
  return (current): MultiStoreTransition<MemberOutcome[]> => {
    if (slots === undefined) {
      const at = new Map<string, number>();
      for (let i = 0; i < keys.length; i += 1) at.set(keys[i]!, i);
      slots = members.map((member) => member.keys.map((key) => at.get(key)!));
    }
    const values: (string | undefined)[] = [];
    for (let i = 0; i < keys.length; i += 1) values.push(current[i]);
    const writes: (StoreWrite | undefined)[] = new Array(keys.length).fill(undefined);
    const outcomes: MemberOutcome[] = [];
    for (let m = 0; m < members.length; m += 1) {
      const own = slots[m]!;
      try {
        const seen: (string | undefined)[] = [];
        for (const i of own) seen.push(values[i]);
        const step = members[m]!.fn(seen);
        const mine = step.writes;
        if (mine !== undefined) {
          // Every TTL checked before any of this member's writes applies: all of them or none.
          for (let k = 0; k < own.length; k += 1) {
            const write = mine[k];
            if (write && !('delete' in write)) ttlMsOf(write);
          }
          for (let k = 0; k < own.length; k += 1) {
            const write = mine[k];
            if (!write) continue;
            writes[own[k]!] = write;
            values[own[k]!] = 'delete' in write ? undefined : write.value;
          }
        }
        outcomes.push({ ok: true, result: step.result });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return { result: outcomes, writes };
  };
}

interface Group {
  readonly members: Member[];
  readonly keys: Set<string>;
}

/**
 * The groups that can start now, in queue order; what cannot stays in `pending` (in order).
 * A member waits when a key of its is held (`busy`) or wanted by an earlier member left
 * waiting, or when it overlaps two groups or would take one past `limits`.
 */
function groupsOf(pending: Member[], busy: ReadonlySet<string>, limits: GroupLimits) {
  const blocked = new Set<string>(); // keys wanted by an earlier member left waiting
  const groups: Group[] = [];
  const owner = new Map<string, Group>(); // the group holding each key taken so far
  let kept = 0;
  for (const member of pending) {
    let clash = false;
    let group: Group | undefined;
    let joins = 0;
    let fresh = 0; // keys of the member no group holds yet
    for (const key of member.keys) {
      if (busy.has(key) || blocked.has(key)) clash = true;
      const holder = owner.get(key);
      if (holder === undefined) fresh += 1;
      else if (holder !== group) {
        joins += 1;
        group = holder;
      }
    }
    const fits =
      joins === 0 ||
      (joins === 1 &&
        group!.members.length < limits.ops &&
        group!.keys.size + fresh <= limits.keys);
    if (clash || !fits) {
      pending[kept++] = member;
      for (const key of member.keys) blocked.add(key);
      continue;
    }
    if (group === undefined) {
      group = { members: [], keys: new Set() };
      groups.push(group);
    }
    group.members.push(member);
    for (const key of member.keys) {
      if (owner.has(key)) continue;
      owner.set(key, group);
      group.keys.add(key);
    }
  }
  pending.length = kept;
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
    const release = () => {
      for (const key of keys) busy.delete(key);
      if (pending.length === 0) return;
      for (const group of groupsOf(pending, busy, limits)) {
        for (const member of group.members) want(member.keys, -1);
        start(group.members, group.keys);
      }
    };
    const failed = (error: unknown) => {
      for (const member of members) member.reject(error);
      release();
    };
    if (members.length === 1) {
      const [member] = members as [Member];
      run(union, member.fn).then((result) => {
        member.resolve(result);
        release();
      }, failed);
      return;
    }
    run(union, combined(union, members)).then((outcomes) => {
      for (let i = 0; i < outcomes.length; i += 1) {
        const outcome = outcomes[i]!;
        if (outcome.ok) members[i]!.resolve(outcome.result);
        else members[i]!.reject(outcome.error);
      }
      release();
    }, failed);
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
