/**
 * What the consent operations share: the common input (a phone under a field), the event of
 * a written entry, and the two writes (an opt-in checked against the configured text, an
 * opt-out). @internal
 * @module
 */
import { errAsync, type Result, type ResultAsync } from 'neverthrow';
import { toBase64Url } from '../crypto';
import type { VerifyError } from '../errors';
import { objectInput } from '../feature/input';
import type { RequestContext } from '../feature/operation-types';
import { normalizePhone } from '../phone';
import type { ConsentEntry } from '../ports/consent-ledger';
import { phoneKey } from '../secrets';
import type { ConsentDraft } from './chain';
import { type GivenConsent, matchesRequired } from './input';
import type { Setup } from './setup';
import { type ConsentStatus, type OptOutFields, optOutDraft, statusOf } from './status';

/** A consent call's common input. */
export interface Call {
  readonly o: Record<string, unknown>;
  readonly phone: string;
  readonly pk: string;
  readonly at: number;
  readonly silent: boolean;
  readonly context: RequestContext | undefined;
}

/** Parses the common input: an object with a phone under `field`. */
export function callOf(
  s: Setup,
  input: unknown,
  field: 'phone' | 'from',
): Result<Call, VerifyError> {
  const { sh } = s;
  return objectInput(input).andThen((o) =>
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
}

/** Publishes the event for a written entry (unless silent). */
export function announce(
  s: Setup,
  e: ConsentEntry | undefined,
  phone: string,
  silent: boolean,
  context: RequestContext | undefined,
): void {
  if (!e) return;
  const base = {
    at: e.at,
    to: s.sh.mask(phone),
    source: e.source,
    seq: e.seq,
    hash: e.hash,
    ...(context ? { context } : {}),
  };
  const emit = s.sh.emitter(silent);
  if (e.kind === 'opted_in') {
    emit({ type: 'consent.opted_in', ...base, ...(e.version ? { version: e.version } : {}) });
  } else {
    emit({ type: 'consent.opted_out', ...base, ...(e.keyword ? { keyword: e.keyword } : {}) });
  }
}

/** An opt-in to record. */
export interface GivenRecord {
  readonly phoneKey: string;
  readonly phone: string;
  readonly given: GivenConsent;
  readonly at: number;
  readonly silent: boolean;
  readonly context: RequestContext | undefined;
  readonly unlessOptedOut?: boolean;
}

/**
 * Records an opt-in checked against the configured text; resolves the new status. With
 * `unlessOptedOut`, nothing is written when the newest entry is an opt-out (decided in the
 * same atomic append), and the status stays `opted_out`.
 */
export function recordGiven(s: Setup, r: GivenRecord): ResultAsync<ConsentStatus, VerifyError> {
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
    ...(g.channel !== undefined ? { channel: g.channel } : {}),
    ...(g.ip !== undefined ? { ip: g.ip } : {}),
    ...(g.userAgent !== undefined ? { userAgent: g.userAgent } : {}),
    ...(personal ? { salt: toBase64Url(s.sh.random(16)) } : {}),
  };
  return s.book
    .append(r.phoneKey, (last) =>
      r.unlessOptedOut === true && last?.kind === 'opted_out' ? undefined : draft,
    )
    .map((a) => {
      announce(s, a.written, r.phone, r.silent, r.context);
      return statusOf(a.last);
    });
}

/** Appends an opt-out (unless the newest entry is one already). */
export function optOutWith(
  s: Setup,
  c: Call,
  d: OptOutFields,
  skip: (last: ConsentEntry | undefined) => boolean = () => false,
) {
  return s.book
    .append(c.pk, (last) => (skip(last) ? undefined : optOutDraft(last, { at: c.at, ...d })))
    .map((a) => {
      announce(s, a.written, c.phone, c.silent, c.context);
      return a;
    });
}
