/**
 * The `verifier.consent` operations: record, optOut, status, history, inbound, erase. Each
 * validates its input, reads or appends through the verified ledger (`./book`) and
 * publishes `consent.opted_in` / `consent.opted_out` when an entry is written. @internal
 * @module
 */
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';
import { storeError } from '../feature/errors';
import type { FeatureIO as Shell } from '../feature/feature';
import { objectInput } from '../feature/input';
import type { RequestContext } from '../feature/operation-types';
import { normalizePhone } from '../phone';
import type { ConsentEntry } from '../ports/consent-ledger';
import { phoneKey } from '../secrets';
import type { Book } from './book';
import type { ConsentDraft } from './chain';
import {
  type InboundDecision,
  type InboundLimit,
  inboundKey,
  inboundTransition,
} from './inbound-limit';
import { type GivenConsent, givenOf, MAX_CONSENT_TEXT, matchesRequired, sourceOf } from './input';
import { parseKeyword } from './keywords';
import { type ConsentStatus, foldStatus, keywordOptInDraft, optOutDraft, statusOf } from './status';
import type { ConsentApi, ConsentHistory, ConsentInboundResult } from './types';

/** Everything the consent operations share. */
export interface Setup {
  readonly sh: Shell;
  readonly book: Book;
  readonly required: { readonly version: string; readonly text: string } | undefined;
  readonly retentionMs: number;
  readonly replies: {
    readonly optedOut?: string;
    readonly optedIn?: string;
    readonly help?: string;
  };
  readonly defaultCountry: string | undefined;
  readonly inboundLimit: InboundLimit;
}

const MESSAGE_ID = /^[\x21-\x7e]{1,128}$/;

/** A provider message id: absent, or 1-128 printable ASCII characters. */
function messageIdOf(x: unknown): Result<string | undefined, VerifyError> {
  if (x === undefined) return ok(undefined);
  if (typeof x === 'string' && MESSAGE_ID.test(x)) return ok(x);
  return err(
    verifyError('invalid_request', {
      message: '`messageId` must be the provider message id, 1-128 printable ASCII characters.',
    }),
  );
}

export function notConfigured(): VerifyError {
  return verifyError('invalid_request', {
    message: 'Consent is not configured: pass `consent: { ledger }` to createVerifier.',
  });
}

interface Call {
  readonly o: Record<string, unknown>;
  readonly phone: string;
  readonly pk: string;
  readonly at: number;
  readonly silent: boolean;
  readonly context: RequestContext | undefined;
}

export function makeConsentApi(s: Setup) {
  const { sh, book } = s;
  const app = sh.appName;
  const replies = {
    optedOut:
      s.replies.optedOut ??
      `${app}: You are unsubscribed and will receive no further messages. Reply START to resubscribe.`,
    optedIn:
      s.replies.optedIn ??
      `${app}: You are subscribed again to verification codes. Reply HELP for help, STOP to opt out.`,
    help:
      s.replies.help ??
      `${app}: one-time verification codes on request. Msg & data rates may apply. Reply STOP to opt out.`,
  };

  /** Parses the common input: an object with a phone under `field`. */
  const callOf = (input: unknown, field: 'phone' | 'from'): Result<Call, VerifyError> =>
    objectInput(input).andThen((o) =>
      normalizePhone(o[field], s.defaultCountry ? { defaultCountry: s.defaultCountry } : {}).map(
        (p): Call => ({
          o,
          phone: p.number,
          pk: phoneKey(sh.ring, p.number),
          at: sh.now(),
          silent: o.silent === true,
          context: o.context as RequestContext | undefined,
        }),
      ),
    );

  /** Publishes the event for a written entry (unless silent). */
  const announce = (
    e: ConsentEntry | undefined,
    phone: string,
    silent: boolean,
    context: RequestContext | undefined,
  ) => {
    if (!e) return;
    const base = {
      at: e.at,
      to: sh.mask(phone),
      source: e.source,
      seq: e.seq,
      hash: e.hash,
      ...(context ? { context } : {}),
    };
    const emit = sh.emitter(silent);
    if (e.kind === 'opted_in') {
      emit({ type: 'consent.opted_in', ...base, ...(e.version ? { version: e.version } : {}) });
    } else {
      emit({ type: 'consent.opted_out', ...base, ...(e.keyword ? { keyword: e.keyword } : {}) });
    }
  };

  const salt = () => Buffer.from(sh.random(16)).toString('base64url');

  /**
   * Records an opt-in checked against the configured text; resolves the new status. With
   * `unlessOptedOut`, nothing is written when the newest entry is an opt-out (decided in the
   * same atomic append), and the status stays `opted_out`.
   */
  const recordGiven = (r: {
    phoneKey: string;
    phone: string;
    given: GivenConsent;
    at: number;
    silent: boolean;
    context: RequestContext | undefined;
    unlessOptedOut?: boolean;
  }): ResultAsync<ConsentStatus, VerifyError> => {
    const checked = matchesRequired(r.given, s.required);
    if (checked.isErr()) return errAsync(checked.error);
    const g = checked.value;
    const personal = g.ip !== undefined || g.userAgent !== undefined;
    const draft: ConsentDraft = {
      kind: 'opted_in',
      at: r.at,
      source: g.source,
      text: g.text,
      version: g.version,
      ...(g.ip !== undefined ? { ip: g.ip } : {}),
      ...(g.userAgent !== undefined ? { userAgent: g.userAgent } : {}),
      ...(personal ? { salt: salt() } : {}),
    };
    return book
      .append(r.phoneKey, (last) =>
        r.unlessOptedOut === true && last?.kind === 'opted_out' ? undefined : draft,
      )
      .map((a) => {
        announce(a.written, r.phone, r.silent, r.context);
        return statusOf(a.last);
      });
  };

  const optOutWith = (
    c: Call,
    d: { source: string; keyword?: string; text?: string; messageId?: string },
  ) =>
    book
      .append(c.pk, (last) => optOutDraft(last, { at: c.at, ...d }))
      .map((a) => {
        announce(a.written, c.phone, c.silent, c.context);
        return a;
      });

  /** Counts one keyword message against the phone's inbound bound (see `./inbound-limit`). */
  const admit = (c: Call, optIn: boolean, messageId: string | undefined) =>
    ResultAsync.fromPromise(
      Promise.resolve().then(() =>
        sh.store.update<InboundDecision>(
          inboundKey(c.pk),
          inboundTransition(s.inboundLimit, c.at, optIn, messageId),
        ),
      ),
      storeError,
    );

  const inbound: ConsentApi['inbound'] = (input) => {
    const parsed = callOf(input, 'from').andThen((c) =>
      typeof c.o.text === 'string' && c.o.text.length <= MAX_CONSENT_TEXT
        ? messageIdOf(c.o.messageId).map((messageId) => ({
            c,
            text: c.o.text as string,
            messageId,
          }))
        : err(
            verifyError('invalid_request', {
              message: `\`text\` must be the message received, at most ${MAX_CONSENT_TEXT} characters.`,
            }),
          ),
    );
    if (parsed.isErr()) return errAsync(parsed.error);
    const { c, text, messageId } = parsed.value;
    const k = parseKeyword(text);
    const reply = (action: ConsentInboundResult['action'], r?: string): ConsentInboundResult =>
      r === undefined ? { action } : { action, reply: r };
    if (!k) return okAsync(reply('none'));
    if (k.action === 'help') return okAsync(reply('help', replies.help));
    const evidence = messageId !== undefined ? { messageId } : {};
    if (k.action === 'opt_out') {
      return admit(c, false, messageId).andThen((d) =>
        d !== 'proceed'
          ? okAsync(reply('ignored'))
          : optOutWith(c, { source: 'sms_keyword', keyword: k.keyword, text, ...evidence }).map(
              (a) => reply('opted_out', a.written ? replies.optedOut : undefined),
            ),
      );
    }
    return admit(c, true, messageId).andThen((d) =>
      d !== 'proceed'
        ? okAsync(reply('ignored'))
        : book
            .append(c.pk, (last) =>
              keywordOptInDraft(last, { at: c.at, keyword: k.keyword, text, ...evidence }),
            )
            .map((a) => {
              announce(a.written, c.phone, c.silent, c.context);
              return reply('opted_in', a.written ? replies.optedIn : undefined);
            }),
    );
  };

  const api: ConsentApi = {
    enabled: true,
    record(input) {
      const parsed = callOf(input, 'phone').andThen((c) =>
        givenOf(c.o, c.context).map((given) => ({ c, given })),
      );
      if (parsed.isErr()) return errAsync(parsed.error);
      const { c, given } = parsed.value;
      return recordGiven({
        phoneKey: c.pk,
        phone: c.phone,
        given,
        at: c.at,
        silent: c.silent,
        context: c.context,
      });
    },
    optOut(input) {
      const parsed = callOf(input, 'phone').andThen((c) =>
        sourceOf(c.o.source).map((source) => ({ c, source })),
      );
      if (parsed.isErr()) return errAsync(parsed.error);
      const { c, source } = parsed.value;
      return optOutWith(c, { source }).map((a) => statusOf(a.last));
    },
    status(input) {
      const parsed = callOf(input, 'phone');
      if (parsed.isErr()) return errAsync(parsed.error);
      return book.head(parsed.value.pk).map(statusOf);
    },
    history(input) {
      const parsed = callOf(input, 'phone');
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
    inbound,
    erase(input) {
      const parsed = callOf(input, 'phone');
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
    },
  };
  return { public: api, recordGiven };
}
