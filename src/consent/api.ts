/**
 * The `verifier.consent` operations: record, optOut, status, history, inbound, erase. Each
 * validates its input, reads or appends through the verified ledger (`./book`) and
 * publishes `consent.opted_in` / `consent.opted_out` when an entry is written (the writes
 * and the common input are in `./writes`, the keyword messages in `./inbound`). @internal
 * @module
 */
import { errAsync, ok } from 'neverthrow';
import { channelOf } from '../feature/input';
import { makeInbound } from './inbound';
import { givenOf, sourceOf } from './input';
import type { Setup } from './setup';
import { foldStatus, statusOf } from './status';
import type { ConsentApi, ConsentHistory } from './types';
import { callOf, type GivenRecord, optOutWith, recordGiven } from './writes';

export type { Setup };

/** `erase`: redacts the personal fields; purges the chain once its retention has passed. */
function makeErase(s: Setup): ConsentApi['erase'] {
  const { book } = s;
  return (input) => {
    const parsed = callOf(s, input, 'phone');
    if (parsed.isErr()) return errAsync(parsed.error);
    const c = parsed.value;
    return book
      .redact(c.pk, c.at)
      .andThen((redacted) =>
        book
          .head(c.pk)
          .andThen((last) =>
            last && c.at - last.at >= s.retentionMs
              ? book.purge(c.pk, last.seq).map((purged) => ({ redacted, purged }))
              : ok({ redacted, purged: false }),
          ),
      );
  };
}

export function makeConsentApi(s: Setup) {
  const { sh, book } = s;
  const api: ConsentApi = {
    enabled: true,
    record(input) {
      const parsed = callOf(s, input, 'phone').andThen((c) =>
        givenOf(c.o, c.context).map((given) => ({ c, given })),
      );
      if (parsed.isErr()) return errAsync(parsed.error);
      const { c, given } = parsed.value;
      return recordGiven(s, {
        phoneKey: c.pk,
        phone: c.phone,
        given,
        at: c.at,
        silent: c.silent,
        context: c.context,
      });
    },
    optOut(input) {
      const parsed = callOf(s, input, 'phone').andThen((c) =>
        sourceOf(c.o.source).andThen((source) =>
          channelOf(c.o.channel, undefined).map((channel) => ({ c, source, channel })),
        ),
      );
      if (parsed.isErr()) return errAsync(parsed.error);
      const { c, source, channel } = parsed.value;
      return optOutWith(s, c, { source, ...(channel ? { channel } : {}) }).map((a) =>
        statusOf(a.last),
      );
    },
    status(input) {
      const parsed = callOf(s, input, 'phone');
      if (parsed.isErr()) return errAsync(parsed.error);
      return book.head(parsed.value.pk).map(statusOf);
    },
    history(input) {
      const parsed = callOf(s, input, 'phone');
      if (parsed.isErr()) return errAsync(parsed.error);
      const c = parsed.value;
      return book.list(c.pk).map(
        (chain): ConsentHistory => ({
          to: sh.mask(c.phone),
          status: foldStatus(chain.entries),
          entries: chain.entries,
          ...(chain.anchor !== undefined ? { anchor: chain.anchor } : {}),
          verdict: book.verify(c.pk, chain),
        }),
      );
    },
    inbound: makeInbound(s),
    erase: makeErase(s),
  };
  return { public: api, recordGiven: (r: GivenRecord) => recordGiven(s, r) };
}
