/**
 * Consent in the verifier: `withConsent(options)` validates `options.consent`, wraps the
 * sender so that delivery re-checks the ledger, and `install(shell)` registers the send guard
 * and returns `verifier.consent`. @internal
 * @module
 */
import { errAsync, okAsync } from 'neverthrow';
import { isOptOut } from '../delivery/fallback';
import type { Sender, SendOutcome } from '../ports/sender';
import { phoneKey } from '../secrets';
import type { Shell } from '../verifier/shell';
import type { VerifierOptions } from '../verifier/types';
import { makeConsentApi, notConfigured, type Setup } from './api';
import { consentBook } from './book';
import { chainKey } from './chain';
import { confirmReoptIn, consentGuard, optedOutOutcome, pendingFor } from './guard';
import { DEFAULT_INBOUND_LIMIT } from './inbound-limit';
import { textOf, versionOf } from './input';
import { statusOf } from './status';
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
