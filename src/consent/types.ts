/**
 * Public types of the consent feature: `createVerifier({ consent })` options and the
 * `verifier.consent` operations.
 * @module
 */
import type { ResultAsync } from 'neverthrow';
import type { VerifyError } from '../errors';
import type { CallOptions } from '../feature/operation-types';
import type { ConsentEntry, ConsentLedger } from '../ports/consent-ledger';
import type { Channel } from '../ports/sender';
import type { ChainVerdict } from './chain';
import type { ConsentStatus } from './status';

export type { ConsentStatus } from './status';

/** `createVerifier({ consent })`. */
export interface ConsentOptions {
  /** Where consent entries are kept (`memoryConsentLedger()`, `postgresConsentLedger(pool)`). */
  readonly ledger: ConsentLedger;
  /**
   * When set, `start` needs a current opt-in to this version (else `consent_required`), and
   * every opt-in recorded must carry this version and exactly this text (else
   * `invalid_request`). Bump `version` when the text changes: earlier consents stop counting.
   */
  readonly required?: { readonly version: string | number; readonly text: string };
  /** Reply texts for inbound keywords (defaults name `appName`). */
  readonly replies?: {
    /** Sent once when STOP & co. opt a number out. */
    readonly optedOut?: string;
    /** Sent once when START, UNSTOP or YES opt a number back in. */
    readonly optedIn?: string;
    /** Sent for HELP and INFO. */
    readonly help?: string;
  };
  /**
   * How long a phone's consent history is kept before `consent.erase` may delete it whole,
   * in ms after its newest entry (default 4 years: the TCPA's statute of limitations). Before
   * that, `erase` only erases the personal fields.
   */
  readonly retentionMs?: number;
  /**
   * Bound on inbound keyword changes per number: at most `max` START-type opt-ins per
   * `windowMs` (default 5 per 24 h); beyond that a START is ignored without writing. STOP is
   * always honoured. Keeps a phone's ledger from growing without bound.
   */
  readonly inboundLimit?: { readonly max?: number; readonly windowMs?: number };
}

/** An opt-in given with `start` (the reference endpoint's IsOptInConsent + content + version). */
export interface ConsentGiven {
  /** The consent text the user saw, verbatim. */
  readonly text: string;
  /** Its version (the reference endpoint's integer OptInMessageVersion is accepted). */
  readonly version: string | number;
  /** How it was given (default `api`), e.g. `web_form`. */
  readonly source?: string;
  /** Default: `context.ip`. */
  readonly ip?: string;
  /** Default: `context.userAgent`. */
  readonly userAgent?: string;
  /**
   * The channel consent is given for, kept in the entry as evidence (default: none; with
   * `start`, the start's channel). Status is per number, whatever the channel.
   */
  readonly channel?: Channel;
}

export interface ConsentRecordInput extends CallOptions, ConsentGiven {
  readonly phone: string;
}

export interface ConsentOptOutInput extends CallOptions {
  readonly phone: string;
  /** Default `api`. */
  readonly source?: string;
  /** The channel the opt-out came over, when known (kept in the entry as evidence). */
  readonly channel?: Channel;
}

export interface ConsentPhoneInput extends CallOptions {
  readonly phone: string;
}

/** The provider's inbound-SMS webhook payload. */
export interface ConsentInboundInput extends CallOptions {
  /** The sender's number. */
  readonly from: string;
  /** The message body, verbatim. */
  readonly text: string;
  /**
   * The provider's id of the message (Twilio `MessageSid`, Vonage `messageId` /
   * `message_uuid`): kept in the ledger entry as evidence, and a repeated id changes nothing.
   * 1-128 printable ASCII characters.
   */
  readonly messageId?: string;
  /**
   * The channel the message came over (default: SMS). A STOP over WhatsApp opts the number
   * out like one over SMS; the entry's `channel` and source (`whatsapp_keyword`) say where.
   */
  readonly channel?: 'sms' | 'whatsapp';
  /**
   * When the provider says the message was sent, epoch ms, if its signed payload carries it
   * (Meta's `messages[].timestamp`). A keyword sent longer ago than the message-id dedup
   * window (24 hours) that predates the number's newest consent entry is a replay the dedup
   * can no longer catch, and changes nothing.
   */
  readonly sentAt?: number;
}

export interface ConsentInboundResult {
  /**
   * What the message did (`none`: not a keyword; `ignored`: a keyword that changed nothing,
   * because its message id was already handled or the number sent more START keywords than
   * `consent.inboundLimit` allows; nothing recorded for either).
   */
  readonly action: 'opted_out' | 'opted_in' | 'help' | 'none' | 'ignored';
  /** The one reply to send back, if any (none when the state did not change). */
  readonly reply?: string;
}

/** A phone's whole consent record, for an audit or a data-subject access request. */
export interface ConsentHistory {
  /** Masked number. */
  readonly to: string;
  readonly status: ConsentStatus;
  /** Every entry, oldest first, verbatim (verify offline with `verifyChain`). */
  readonly entries: readonly ConsentEntry[];
  readonly anchor?: string;
  /** The chain verification of exactly these entries. */
  readonly verdict: ChainVerdict;
}

export interface ConsentErasure {
  /** Entries whose personal fields (ip, user agent) were erased now. */
  readonly redacted: number;
  /** True when the retention period had passed and the whole history was deleted. */
  readonly purged: boolean;
}

/**
 * `verifier.consent`. Without `consent: consent({ ledger })` in the options every operation returns
 * `invalid_request` ("consent is not configured"), and so does `start` given a `consent`.
 */
export interface ConsentApi {
  /** True when `consent(...)` is configured (HTTP adapters mount the webhook then). */
  readonly enabled: boolean;
  /** Records an opt-in (always appended, even when already opted in); resolves the new status. */
  record(input: ConsentRecordInput): ResultAsync<ConsentStatus, VerifyError>;
  /** Records an opt-out unless already opted out; resolves the new status. */
  optOut(input: ConsentOptOutInput): ResultAsync<ConsentStatus, VerifyError>;
  /** The current state (newest entry, verified against the anchor). */
  status(input: ConsentPhoneInput): ResultAsync<ConsentStatus, VerifyError>;
  /** Every entry and their verification. */
  history(input: ConsentPhoneInput): ResultAsync<ConsentHistory, VerifyError>;
  /** Handles an inbound SMS: STOP & co., START & co., HELP/INFO. */
  inbound(input: ConsentInboundInput): ResultAsync<ConsentInboundResult, VerifyError>;
  /** Erases personal fields; deletes the whole history once the retention period has passed. */
  erase(input: ConsentPhoneInput): ResultAsync<ConsentErasure, VerifyError>;
}
