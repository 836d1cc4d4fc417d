/**
 * Consent in the verifier, a feature (`consentFeature`): refuses sends without the consent
 * required, re-reads the ledger as each message leaves, records a held re-opt-in on
 * approval, and offers `verifier.consent`. Its options are validated by `consentConfig`,
 * when `consent(options)` (`./index`) is called. @internal
 * @module
 */
import { okAsync } from 'neverthrow';
import { isOptOut } from '../delivery/fallback';
import type { Feature, FeatureHooks, FeatureIO, SendTicket } from '../feature/feature';
import type { SendOutcome } from '../ports/sender';
import { phoneKey } from '../secrets';
import { makeConsentApi, type Setup } from './api';
import { consentBook } from './book';
import { chainKey } from './chain';
import { confirmReoptIn, consentGuard, optedOutOutcome, pendingFor } from './guard';
import { DEFAULT_INBOUND_LIMIT } from './inbound-limit';
import { textOf, versionOf } from './input';
import { statusOf } from './status';
import type { ConsentApi, ConsentOptions } from './types';

/** Four years (the TCPA statute of limitations), in ms. */
export const DEFAULT_CONSENT_RETENTION_MS = 4 * 365.25 * 86_400_000;

/** The options `consent(options)` was given, validated and with their defaults. */
export type ConsentConfig = ReturnType<typeof consentConfig>;

/** Validates `consent(options)` and applies the defaults; throws on misconfiguration. */
export function consentConfig(c: ConsentOptions) {
  if (typeof c !== 'object' || c === null) {
    throw new TypeError('phoneproof: `consent(options)` needs an object { ledger, required? }.');
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

/**
 * Delivery re-checks the ledger (the `send` hook): an opt-out recorded after the guard ran
 * still stops the message; a provider's opt-out answer (Twilio 21610) is recorded.
 */
function ledgerRecheck(s: Setup, optOut: ConsentApi['optOut']): NonNullable<FeatureHooks['send']> {
  return async (message, _at, next) => {
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
            return next(message);
          });
        }
        // Straight from the ledger answer's own reaction, no await in between: the smallest
        // window in which an opt-out could land after the read and before the send.
        refused = false;
        return next(message);
      },
    );
    if (!refused && !outcome.ok && isOptOut(outcome.error)) {
      // The provider says the person opted out (Twilio 21610: they replied STOP). Record it,
      // so later sends are refused here instead of at the provider. Best effort.
      await optOut({
        phone: message.to,
        source: `provider:${outcome.error.provider ?? 'unknown'}`,
      }).orElse(() => okAsync(undefined));
    }
    return outcome;
  };
}

/**
 * The consent feature, for options already validated (`consentConfig`); its hooks refuse
 * sends without the consent required (`beforeSend`), re-read the ledger as a message leaves
 * (`send`) and record a held re-opt-in on approval (`afterApprove`); its API is
 * `verifier.consent`.
 */
export function consentFeature(
  config: ConsentConfig,
  defaultCountry: string | undefined,
  io: FeatureIO,
): Feature<ConsentApi> {
  const s: Setup = {
    sh: io,
    book: consentBook(config.ledger, chainKey(io.ring.lookup)),
    required: config.required,
    retentionMs: config.retentionMs,
    replies: config.replies,
    defaultCountry,
    inboundLimit: config.inboundLimit,
  };
  const api = makeConsentApi(s);
  const guard = consentGuard(s, api);
  return {
    name: 'consent',
    hooks: {
      beforeSend: (ctx) => guard(ctx).map<SendTicket | undefined>(() => undefined),
      send: ledgerRecheck(s, api.public.optOut),
      afterApprove: confirmReoptIn(s, api),
    },
    api: api.public,
  };
}
