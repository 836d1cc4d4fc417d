/**
 * `twilioSender`: SMS through the Messages API and voice through the Calls API with inline
 * TwiML, over `fetch` (no Twilio SDK). Basic auth with the Account SID and auth token (or an
 * API key), form-encoded bodies as Twilio documents them, a timeout on every call, retries
 * with backoff for network/5xx/429 failures, and Twilio error codes mapped to typed
 * delivery errors.
 * @module
 */
import { deliveryError } from '../../src/delivery/errors';
import { withRef } from '../../src/delivery/report';
import { twilioCodeError } from '../../src/delivery/twilio-codes';
import { ttsLanguage } from '../../src/messages/voice';
import type { Channel, OutgoingMessage, SendOutcome } from '../../src/ports/sender';
import type { NamedSender } from '../../src/senders/failover';
import {
  DEFAULT_TIMEOUT_MS,
  type FetchLike,
  formBody,
  httpCall,
  statusError,
} from '../../src/senders/http';
import { type RetryOptions, resolveRetry, withRetry } from '../../src/senders/retry';
import { voiceTwiml } from './twiml';

export interface TwilioSenderOptions {
  /** `AC` followed by 32 hex digits. */
  readonly accountSid: string;
  /** The account's auth token (or give `apiKey`). */
  readonly authToken?: string;
  /** An API key (`SK...`) and its secret, used for Basic auth instead of the auth token. */
  readonly apiKey?: { readonly sid: string; readonly secret: string };
  /** Sender: a Twilio number (E.164), short code or alphanumeric sender id. */
  readonly from?: string;
  /** A Messaging Service (`MG...`) to send SMS from instead of `from`. */
  readonly messagingServiceSid?: string;
  /** Caller id for calls (a Twilio number, E.164); default `from` when it is a number. */
  readonly voiceFrom?: string;
  /**
   * Status callback URL for messages and calls. A string gets `?ref=` appended (the message's
   * `ref`, see `deliveryRef`) so the webhook can find the send's attempt; a function returns
   * the URL to use.
   */
  readonly statusCallback?: string | ((message: OutgoingMessage) => string | undefined);
  /** API origin (default `https://api.twilio.com`): regional endpoints, proxies, tests. */
  readonly baseUrl?: string;
  /** `fetch` to use (default the global one). */
  readonly fetch?: FetchLike;
  /** Per-request timeout, ms (default 10000). */
  readonly timeoutMs?: number;
  /** Retry settings for network/5xx/429 failures, or `false` for none (default 3 tries). */
  readonly retry?: RetryOptions | false;
  readonly voice?: {
    /** `<Say voice>`, e.g. `Polly.Joanna`. */
    readonly voice?: string;
    /** Text-to-speech language for a message locale (default: `ttsLanguage`). */
    readonly language?: (locale: string) => string;
    /** Silence between lines, seconds (default 1). */
    readonly pauseSeconds?: number;
  };
  /** Clock for `Retry-After` dates (default `Date.now`). */
  readonly now?: () => number;
}

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

function fail(message: string): never {
  throw new TypeError(`phoneproof/twilio: ${message}`);
}

function checkUrl(url: string, name: string): string {
  try {
    const u = new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'https:') return url;
  } catch {
    // fall through
  }
  return fail(`${name} must be an http(s) URL.`);
}

/** Builds a Twilio sender. Throws on misconfiguration. */
export function twilioSender(options: TwilioSenderOptions): NamedSender {
  const o = options ?? fail('options are required.');
  if (!ACCOUNT_SID.test(o.accountSid ?? '')) fail('accountSid must be "AC" + 32 hex digits.');
  if (!o.authToken && !o.apiKey) fail('authToken (or apiKey) is required.');
  if (o.apiKey && (!o.apiKey.sid || !o.apiKey.secret)) fail('apiKey needs sid and secret.');
  if (!o.from && !o.messagingServiceSid) fail('from or messagingServiceSid is required.');
  if (o.messagingServiceSid !== undefined && !SERVICE_SID.test(o.messagingServiceSid)) {
    fail('messagingServiceSid must be "MG" + 32 hex digits.');
  }
  if (o.voiceFrom !== undefined && !E164.test(o.voiceFrom)) fail('voiceFrom must be E.164.');
  if (typeof o.statusCallback === 'string') checkUrl(o.statusCallback, 'statusCallback');
  const base = checkUrl(o.baseUrl ?? 'https://api.twilio.com', 'baseUrl').replace(/\/+$/, '');
  const fetchImpl = o.fetch ?? (globalThis.fetch as FetchLike | undefined);
  if (typeof fetchImpl !== 'function') fail('no fetch available; pass options.fetch.');
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) fail('timeoutMs must be > 0.');
  if (o.retry) resolveRetry(o.retry);

  const user = o.apiKey ? o.apiKey.sid : o.accountSid;
  const secret = o.apiKey ? o.apiKey.secret : o.authToken!;
  const authorization = `Basic ${Buffer.from(`${user}:${secret}`, 'utf8').toString('base64')}`;
  const account = `${base}/2010-04-01/Accounts/${encodeURIComponent(o.accountSid)}`;
  const callerId = o.voiceFrom ?? (o.from && E164.test(o.from) ? o.from : undefined);
  const channels: Channel[] = callerId ? ['sms', 'voice'] : ['sms'];
  const call = {
    provider: 'twilio',
    fetch: fetchImpl,
    timeoutMs,
    ...(o.now ? { now: o.now } : {}),
  };

  const callbackFor = (m: OutgoingMessage): string | undefined =>
    typeof o.statusCallback === 'function'
      ? o.statusCallback(m)
      : o.statusCallback !== undefined
        ? withRef(o.statusCallback, m)
        : undefined;

  function fields(m: OutgoingMessage): Array<[string, string]> {
    const callback = callbackFor(m);
    const tail: Array<[string, string]> = callback ? [['StatusCallback', callback]] : [];
    if (m.channel === 'voice') {
      const language = (o.voice?.language ?? ttsLanguage)(m.locale);
      const twiml = voiceTwiml(m.text, {
        language,
        ...(o.voice?.voice ? { voice: o.voice.voice } : {}),
        ...(o.voice?.pauseSeconds !== undefined ? { pauseSeconds: o.voice.pauseSeconds } : {}),
      });
      return [['To', m.to], ['From', callerId!], ['Twiml', twiml], ...tail];
    }
    const sender: [string, string] = o.messagingServiceSid
      ? ['MessagingServiceSid', o.messagingServiceSid]
      : ['From', o.from!];
    return [['To', m.to], sender, ['Body', m.text], ...tail];
  }

  async function sendOnce(m: OutgoingMessage): Promise<SendOutcome> {
    if (!channels.includes(m.channel)) {
      return { ok: false, error: deliveryError('channel_unsupported', { provider: 'twilio' }) };
    }
    const url = `${account}/${m.channel === 'voice' ? 'Calls' : 'Messages'}.json`;
    const res = await httpCall(call, url, {
      method: 'POST',
      headers: {
        authorization,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: formBody(fields(m)),
    });
    if (!res.ok) return res;
    const { status, json, retryAfterMs } = res.reply;
    const body = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    if (status >= 200 && status < 300) {
      if (typeof body.sid === 'string' && body.sid !== '') {
        return { ok: true, messageId: body.sid, provider: 'twilio' };
      }
      return {
        ok: false,
        error: deliveryError('provider_error', { provider: 'twilio', providerCode: status }),
      };
    }
    const extra = retryAfterMs !== undefined ? { retryAfterMs } : {};
    const code = typeof body.code === 'number' ? body.code : Number(body.code);
    const known = Number.isInteger(code) ? twilioCodeError(code, extra) : undefined;
    // Unknown codes follow the HTTP status, keeping Twilio's code for the logs.
    const error =
      known ??
      statusError('twilio', status, {
        ...extra,
        ...(Number.isInteger(code) ? { providerCode: code } : {}),
      });
    return { ok: false, error };
  }

  const sender: NamedSender = {
    name: 'twilio',
    channels,
    send: sendOnce,
    // Callbacks carry each message's ref only when this sender appends it to the URL.
    ...(typeof o.statusCallback === 'string' ? { reportsCarryRef: true } : {}),
  };
  return o.retry === false ? sender : withRetry(sender, o.retry ?? {});
}
