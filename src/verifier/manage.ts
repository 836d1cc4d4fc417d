/**
 * The `cancel` and `status` operations. @internal
 * @module
 */
import { errAsync, ResultAsync } from 'neverthrow';
import { cancelTransition, viewVerification } from '../core/check';
import { refusalError } from '../feature/errors';
import { publishCore } from '../feature/events';
import { objectInput } from '../feature/input';
import { requesterOf, requesterTag } from '../feature/requester';
import type { Shell } from './shell';
import type { CancelResult, RequestContext, StatusResult, Verifier } from './types';

export function makeCancel(sh: Shell): Verifier['cancel'] {
  return (input) => {
    const at = sh.now();
    const parsed = objectInput(input).andThen((o) =>
      sh.ids.open(o.id).map(({ id, key }) => ({ o, id, key })),
    );
    if (parsed.isErr()) return errAsync(parsed.error);
    const { o, id, key } = parsed.value;
    const by = requesterTag(sh.ring, requesterOf(o.context, sh.ipv6Prefix));
    return new ResultAsync(
      sh.transact(key, at, (s) => cancelTransition(s, id, at, sh.policy, by)),
    ).andThen((step) => {
      const to = step.state.verifications.find((x) => x.id === id)?.to ?? '';
      if (o.silent !== true) {
        publishCore(sh.publish, step.events, {
          to,
          context: o.context as RequestContext | undefined,
        });
      }
      return step.decision
        .map((status): CancelResult => ({ id, status }))
        .mapErr((r) => refusalError(r, at));
    });
  };
}

export function makeStatus(sh: Shell): Verifier['status'] {
  return (input) => {
    const at = sh.now();
    const parsed = objectInput(input).andThen((o) => sh.ids.open(o.id));
    if (parsed.isErr()) return errAsync(parsed.error);
    const { id, key } = parsed.value;
    return new ResultAsync(sh.read(key)).andThen((state) =>
      viewVerification(state, id, at, sh.policy)
        .mapErr((r) => refusalError(r, at))
        .map((view): StatusResult => {
          const v = view.verification;
          return {
            id,
            status: v.status,
            to: v.to,
            channel: v.channel,
            purpose: v.purpose,
            attemptsLeft: view.attemptsLeft,
            sendsLeft: view.sendsLeft,
            createdAt: v.createdAt,
            expiresAt: v.expiresAt,
            resendAvailableAt: view.resendAvailableAt,
            failedVerifications: view.failures,
            lockedUntil: view.lockedUntil > at ? view.lockedUntil : null,
            // Copies: the state may be shared with the verifier's cache of decoded records.
            attempts: (v.attempts ?? []).map((a) => ({ ...a })),
          };
        }),
    );
  };
}
