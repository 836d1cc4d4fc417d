/**
 * Consent in the verifier: `withConsent(options)` validates `options.consent`, wraps the
 * sender so that delivery re-checks the ledger, and `install(shell)` registers the send guard
 * and returns `verifier.consent`. @internal
 * @module
 */
import { errAsync, ok, okAsync, ResultAsync } from 'neverthrow';
import { isOptOut } from '../delivery/fallback';
import { verifyError } from '../errors';
import type { Sender, SendOutcome } from '../ports/sender';
import { phoneKey } from '../secrets';
import type { ApproveHook, SendGuard } from '../verifier/hooks';
import { type Shell, storeError } from '../verifier/shell';
import type { RequestContext, VerifierOptions } from '../verifier/types';
import { makeConsentApi, notConfigured, type Setup } from './api';
import { consentBook } from './book';
import { chainKey } from './chain';
import { DEFAULT_INBOUND_LIMIT } from './inbound-limit';
import { givenOf, matchesRequired, textOf, versionOf } from './input';
import { openPending, REOPT_IN_TTL_MS, reoptInKey, sealPending } from './reopt-in';
import { type ConsentStatus, sendRefusal, statusOf } from './status';
import type { ConsentApi } from './types';

/** Four years (the TCPA statute of limitations), in ms. */
export const DEFAULT_CONSENT_RETENTION_MS = 4 * 365.25 * 86_400_000;

/** What `withConsent` prepared: the options to build the shell with, and the installer. */
export interface ConsentWiring {
  readonly options: VerifierOptions;
  install(sh: Shell): ConsentApi;
}

function configOf(options: VerifierOptions) {
  const c = options.consent;
  if (c === undefined) return undefined;
  if (typeof c !== 'object' || c === null) {
    throw new TypeError('phoneproof: `consent` must be an object { ledger, required? }.');
  }
  const { ledger } = c;
  const methods = ['append', 'head', 'list', 'redact', 'purge'] as const;
  if (!ledger || methods.some((m) => typeof ledger[m] !== 'function')) {
    throw new TypeError(
      'phoneproof: `consent.ledger` must implement the ConsentLedger port (append, head, list, redact, purge).',
    );
  }
  let required: { version: string; text: string } | undefined;
  if (c.required !== undefined) {
    const version = versionOf(c.required?.version);
    const text = textOf(c.required?.text);
    if (version.isErr() || text.isErr()) {
      throw new TypeError(
        'phoneproof: `consent.required` must be { version, text } (version: integer or short string).',
      );
    }
    required = { version: version.value, text: text.value };
  }
  const retentionMs = c.retentionMs ?? DEFAULT_CONSENT_RETENTION_MS;
  if (!(Number.isFinite(retentionMs) && retentionMs >= 0)) {
    throw new TypeError('phoneproof: `consent.retentionMs` must be a non-negative number of ms.');
  }
  for (const [k, v] of Object.entries(c.replies ?? {})) {
    if (typeof v !== 'string' || v.length === 0) {
      throw new TypeError(`phoneproof: \`consent.replies.${k}\` must be a non-empty string.`);
    }
  }
  const lim = c.inboundLimit ?? {};
  const inboundLimit = {
    max: lim.max ?? DEFAULT_INBOUND_LIMIT.max,
    windowMs: lim.windowMs ?? DEFAULT_INBOUND_LIMIT.windowMs,
  };
  if (
    !Number.isSafeInteger(inboundLimit.max) ||
    inboundLimit.max < 1 ||
    !Number.isSafeInteger(inboundLimit.windowMs) ||
    inboundLimit.windowMs < 60_000
  ) {
    throw new TypeError(
      'phoneproof: `consent.inboundLimit` must be { max: integer >= 1, windowMs: integer >= 60000 }.',
    );
  }
  return { ledger, required, retentionMs, replies: c.replies ?? {}, inboundLimit };
}

/** Validates `options.consent` (throws on misconfiguration) and prepares the wiring. */
export function withConsent(options: VerifierOptions): ConsentWiring {
  if (typeof options !== 'object' || options === null) {
    return { options, install: () => disabledApi() };
  }
  const config = configOf(options);
  if (!config) {
    return {
      options,
      install(sh) {
        sh.hooks.beforeSend.push((req) =>
          req.input.consent === undefined ? okAsync(undefined) : errAsync(notConfigured()),
        );
        return disabledApi();
      },
    };
  }
  let setup: Setup | undefined;
  let optOut: ConsentApi['optOut'] | undefined;
  const inner: Sender = options.sender;
  // Delivery re-checks the ledger: an opt-out recorded after the guard ran still stops it.
  const sender: Sender = {
    ...(inner?.reportsCarryRef === true ? { reportsCarryRef: true } : {}),
    async send(message) {
      const s = setup!;
      let refused = false;
      const outcome = await s.book.headThen(
        phoneKey(s.sh.ring, message.to),
        (head): SendOutcome | Promise<SendOutcome> => {
          refused = true;
          if (head.isErr()) {
            return {
              ok: false,
              error: {
                kind: 'retryable',
                reason: 'consent_unavailable',
                message: head.error.message,
              },
            };
          }
          if (statusOf(head.value).state === 'opted_out') {
            // The one exception: the code of a start that carried a new consent for this
            // opted-out number (the owner proves possession with it; see `./reopt-in`).
            return pendingFor(s, message.verificationId).then((pending) => {
              if (!pending) return optedOutOutcome;
              refused = false;
              return inner.send(message);
            });
          }
          // Straight from the ledger answer's own reaction, no await in between: the smallest window
          // in which an opt-out could land after the read and before the send.
          refused = false;
          return inner.send(message);
        },
      );
      if (!refused && !outcome.ok && isOptOut(outcome.error) && optOut) {
        // The provider says the person opted out (Twilio 21610: they replied STOP). Record it,
        // so later sends are refused here instead of at the provider. Best effort.
        await optOut({
          phone: message.to,
          source: `provider:${outcome.error.provider ?? 'unknown'}`,
        }).orElse(() => okAsync(undefined));
      }
      return outcome;
    },
  };
  return {
    options: inner && typeof inner.send === 'function' ? { ...options, sender } : options,
    install(sh) {
      const s: Setup = {
        sh,
        book: consentBook(config.ledger, chainKey(sh.ring.lookup)),
        required: config.required,
        retentionMs: config.retentionMs,
        replies: config.replies,
        defaultCountry: options.defaultCountry,
        inboundLimit: config.inboundLimit,
      };
      setup = s;
      const api = makeConsentApi(s);
      optOut = api.public.optOut;
      sh.hooks.beforeSend.push(consentGuard(s, api));
      sh.hooks.afterApprove.push(confirmReoptIn(s, api));
      return api.public;
    },
  };
}

const optedOutOutcome: SendOutcome = {
  ok: false,
  error: {
    kind: 'permanent',
    reason: 'opted_out',
    message: 'The number opted out of messages while this request was in progress.',
  },
};

/** Whether verification `id` carries a consent waiting for its approval (store errors: no). */
function pendingFor(s: Setup, id: string): Promise<boolean> {
  return Promise.resolve()
    .then(() => s.sh.store.get(reoptInKey(id)))
    .then(
      (v) => v !== undefined,
      () => false,
    );
}

/**
 * Refuses sends to opted-out phones, and to phones without a current consent when required.
 * A `start` is refused with `consent_required` either way, so its answer does not tell an
 * opted-out number from one that never consented. A consent given with `start` for an
 * opted-out number is held until the code is verified (`./reopt-in`).
 */
function consentGuard(s: Setup, api: ReturnType<typeof makeConsentApi>): SendGuard {
  const refusal = (st: ConsentStatus, kind: 'start' | 'resend') => {
    const r = sendRefusal(st, kind === 'start' ? s.required?.version : undefined);
    if (r === undefined) return okAsync(undefined);
    return errAsync(verifyError(kind === 'start' ? 'consent_required' : r));
  };
  return (req) => {
    const raw = req.input.consent;
    if (raw === undefined) {
      return s.book
        .head(req.phoneKey)
        .map(statusOf)
        .andThen((st) => refusal(st, req.kind));
    }
    if (req.kind !== 'start' || req.id === undefined) {
      return errAsync(
        verifyError('invalid_request', { message: '`consent` is given with `start` only.' }),
      );
    }
    const id = req.id;
    const context = req.context as RequestContext | undefined;
    const given = givenOf(raw, context, 'consent.').andThen((g) => matchesRequired(g, s.required));
    if (given.isErr()) return errAsync(given.error);
    return api
      .recordGiven({
        phoneKey: req.phoneKey,
        phone: req.phone ?? '',
        given: given.value,
        at: req.at,
        silent: req.silent,
        context,
        unlessOptedOut: true,
      })
      .andThen((st) => {
        if (st.state !== 'opted_out') return refusal(st, 'start');
        // Opted out: keep the consent until this verification is approved; send its code.
        const sealed = sealPending(
          s.sh.ring,
          id,
          { given: given.value, at: req.at },
          s.sh.random(12),
        );
        return ResultAsync.fromPromise(
          Promise.resolve().then(() =>
            s.sh.store.update(reoptInKey(id), () => ({
              result: undefined,
              write: { value: sealed, ttlMs: REOPT_IN_TTL_MS },
            })),
          ),
          storeError,
        );
      });
  };
}

/**
 * After an approval: records the consent held for this verification (a re-opt-in proven by
 * possession of the number) and forgets it. Best effort: a failure leaves the opt-out in
 * force and the check approved (the person can start again with consent).
 */
function confirmReoptIn(s: Setup, api: ReturnType<typeof makeConsentApi>): ApproveHook {
  return (result, req) =>
    new ResultAsync(
      (async () => {
        try {
          const key = reoptInKey(result.id);
          const sealed = await s.sh.store.get(key);
          if (sealed === undefined) return ok(result);
          const pending = openPending(s.sh.ring, result.id, sealed);
          if (pending) {
            await api.recordGiven({
              phoneKey: result.id.slice(0, 32),
              phone: result.phone,
              given: pending.given,
              at: req.at,
              silent: req.silent,
              context: req.context,
            });
          }
          await s.sh.store.update(key, () => ({ result: undefined, write: { delete: true } }));
        } catch {
          // best effort (see above)
        }
        return ok(result);
      })(),
    );
}

function disabledApi(): ConsentApi {
  const no = () => errAsync(notConfigured());
  return {
    enabled: false,
    record: no,
    optOut: no,
    status: no,
    history: no,
    inbound: no,
    erase: no,
  };
}
