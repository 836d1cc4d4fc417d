/**
 * Consent decisions, pure: the status a history amounts to, what an opt-in or opt-out
 * appends given the newest entry, and whether a message may be sent.
 * @module
 */
import type { ConsentEntry } from '../ports/consent-ledger';
import type { Channel } from '../ports/sender';
import type { ConsentDraft } from './chain';

/** A phone's consent state. */
export interface ConsentStatus {
  /** `none`: no record at all. */
  readonly state: 'opted_in' | 'opted_out' | 'none';
  /** `opted_in`: the version agreed to (absent after a keyword opt-in with nothing to restore). */
  readonly version?: string;
  /** When the current state began, epoch ms (absent for `none`). */
  readonly at?: number;
}

/** The source of a keyword entry: `sms_keyword`, or `whatsapp_keyword` for one over WhatsApp. */
export function keywordSource(channel: Channel | undefined): string {
  return channel === 'whatsapp' ? 'whatsapp_keyword' : 'sms_keyword';
}

/** The status after `last`, the newest entry (every entry fully determines the state). */
export function statusOf(last: ConsentEntry | undefined): ConsentStatus {
  if (!last) return { state: 'none' };
  if (last.kind === 'opted_out') return { state: 'opted_out', at: last.at };
  return {
    state: 'opted_in',
    at: last.at,
    ...(last.version !== undefined ? { version: last.version } : {}),
  };
}

/** The status a whole history amounts to. */
export function foldStatus(entries: readonly ConsentEntry[]): ConsentStatus {
  return entries.reduce<ConsentStatus>((_, e) => statusOf(e), { state: 'none' });
}

/** What an opt-out records besides its time. */
export interface OptOutFields {
  readonly source: string;
  readonly keyword?: string;
  readonly text?: string;
  readonly messageId?: string;
  /** The channel it came over, when known. */
  readonly channel?: Channel;
}

/** An opt-out, unless already opted out (idempotent). Keeps the version being revoked. */
export function optOutDraft(
  last: ConsentEntry | undefined,
  d: OptOutFields & { readonly at: number },
): ConsentDraft | undefined {
  if (last?.kind === 'opted_out') return undefined;
  return {
    kind: 'opted_out',
    at: d.at,
    source: d.source,
    ...(d.keyword !== undefined ? { keyword: d.keyword } : {}),
    ...(d.text !== undefined ? { text: d.text } : {}),
    ...(d.messageId !== undefined ? { messageId: d.messageId } : {}),
    ...(d.channel !== undefined ? { channel: d.channel } : {}),
    ...(last?.version !== undefined ? { version: last.version } : {}),
  };
}

/**
 * An opt-back-in by keyword (START, UNSTOP, YES), unless already opted in: it restores the
 * version that the last opt-out revoked, and grants no version when there was none.
 */
export function keywordOptInDraft(
  last: ConsentEntry | undefined,
  d: {
    at: number;
    keyword: string;
    text: string;
    messageId?: string;
    /** The channel the keyword came over, when known (source `whatsapp_keyword` for WhatsApp). */
    channel?: Channel;
  },
): ConsentDraft | undefined {
  if (last?.kind === 'opted_in') return undefined;
  return {
    kind: 'opted_in',
    at: d.at,
    source: keywordSource(d.channel),
    keyword: d.keyword,
    text: d.text,
    ...(d.messageId !== undefined ? { messageId: d.messageId } : {}),
    ...(d.channel !== undefined ? { channel: d.channel } : {}),
    ...(last?.version !== undefined ? { version: last.version } : {}),
  };
}

/** Why a message may not be sent, given the status and the required version. */
export function sendRefusal(
  status: ConsentStatus,
  requiredVersion: string | undefined,
): 'opted_out' | 'consent_required' | undefined {
  if (status.state === 'opted_out') return 'opted_out';
  if (requiredVersion === undefined) return undefined;
  return status.state === 'opted_in' && status.version === requiredVersion
    ? undefined
    : 'consent_required';
}
