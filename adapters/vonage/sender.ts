/**
 * `vonageSender`: SMS through the Vonage SMS API and, when an application is configured,
 * voice through the Voice API (application JWT, inline NCCO), over `fetch` (no Vonage SDK).
 * A timeout on every call, retries with backoff for network/5xx/429/throttled failures, and
 * Vonage status codes mapped to typed delivery errors.
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { deliveryError } from '../../src/delivery/errors';
import { deliveryRef, withRef } from '../../src/delivery/report';
import { vonageSendError } from '../../src/delivery/vonage-codes';
import { isGsm7 } from '../../src/messages/sms-encoding';
import { ttsLanguage } from '../../src/messages/voice';
import type { Channel, OutgoingMessage, SendOutcome } from '../../src/ports/sender';
import type { NamedSender } from '../../src/senders/failover';
import {
  DEFAULT_TIMEOUT_MS,
  type FetchLike,
  formBody,
  type HttpCall,
  httpCall,
  statusError,
} from '../../src/senders/http';
import { type RetryOptions, resolveRetry, withRetry } from '../../src/senders/retry';
import { rsaPrivateKey, vonageJwt } from './jwt';
import { voiceNcco } from './ncco';

export interface VonageVoiceOptions {
  /** The Vonage application id (a UUID). */
  readonly applicationId: string;
  /** The application's RSA private key, PEM. */
  readonly privateKey: string | Buffer;
  /** Caller id: a Vonage number (default `from` when it is a number). */
  readonly from?: string;
  /** Call event webhook. A string gets `?ref=` appended; a function returns the URL. */
  readonly eventUrl?: string | ((message: OutgoingMessage) => string | undefined);
  /** Voice API origin (default `https://api.nexmo.com`). */
  readonly baseUrl?: string;
  /** Text-to-speech language for a message locale (default: `ttsLanguage`). */
  readonly language?: (locale: string) => string;
  /** Silence between lines, seconds (default 1). */
  readonly pauseSeconds?: number;
  /** JWT lifetime, seconds (default 300). */
  readonly tokenTtlSeconds?: number;
}

export interface VonageSenderOptions {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Sender id: a Vonage number (with or without `+`) or an alphanumeric id. */
  readonly from: string;
  /** Delivery receipt URL for SMS (the `callback` field); default: the dashboard setting. */
  readonly statusCallback?: string | ((message: OutgoingMessage) => string | undefined);
  /** SMS API origin (default `https://rest.nexmo.com`): proxies, tests. */
  readonly baseUrl?: string;
  /** Voice calls; omitted: the sender does SMS only (voice gets `channel_unsupported`). */
  readonly voice?: VonageVoiceOptions;
  readonly fetch?: FetchLike;
  /** Per-request timeout, ms (default 10000). */
  readonly timeoutMs?: number;
  /** Retry settings for network/5xx/429/throttled failures, or `false` (default 3 tries). */
  readonly retry?: RetryOptions | false;
  /** Clock, epoch ms (JWT `iat`, `Retry-After` dates; default `Date.now`). */
  readonly now?: () => number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fail(message: string): never {
  throw new TypeError(`phoneproof/vonage: ${message}`);
}

function origin(url: string, name: string): string {
  try {
    const u = new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'https:') return url.replace(/\/+$/, '');
  } catch {
    // fall through
  }
  return fail(`${name} must be an http(s) URL.`);
}

const digits = (e164: string) => e164.replace(/^\+/, '');

const callbackFor = (
  option: string | ((m: OutgoingMessage) => string | undefined) | undefined,
  m: OutgoingMessage,
) =>
  typeof option === 'function' ? option(m) : option !== undefined ? withRef(option, m) : undefined;

/** Builds a Vonage sender. Throws on misconfiguration. */
export function vonageSender(options: VonageSenderOptions): NamedSender {
  const o = options ?? fail('options are required.');
  if (!o.apiKey || !o.apiSecret) fail('apiKey and apiSecret are required.');
  if (!o.from) fail('from is required.');
  if (typeof o.statusCallback === 'string') origin(o.statusCallback, 'statusCallback');
  const smsBase = origin(o.baseUrl ?? 'https://rest.nexmo.com', 'baseUrl');
  const fetchImpl = o.fetch ?? (globalThis.fetch as FetchLike | undefined);
  if (typeof fetchImpl !== 'function') fail('no fetch available; pass options.fetch.');
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) fail('timeoutMs must be > 0.');
  if (o.retry) resolveRetry(o.retry);
  const now = o.now ?? Date.now;

  const v = o.voice;
  let key: KeyObject | undefined;
  let callerId: string | undefined;
  let voiceBase = '';
  if (v) {
    if (!UUID.test(v.applicationId ?? '')) fail('voice.applicationId must be a UUID.');
    key = rsaPrivateKey(v.privateKey);
    callerId = v.from ?? (/^\+?\d{6,15}$/.test(o.from) ? o.from : undefined);
    if (!callerId || !/^\+?\d{6,15}$/.test(callerId)) fail('voice.from must be a Vonage number.');
    if (typeof v.eventUrl === 'string') origin(v.eventUrl, 'voice.eventUrl');
    voiceBase = origin(v.baseUrl ?? 'https://api.nexmo.com', 'voice.baseUrl');
  }
  const channels: Channel[] = v ? ['sms', 'voice'] : ['sms'];
  const call: HttpCall = { provider: 'vonage', fetch: fetchImpl, timeoutMs, now };

  async function sms(m: OutgoingMessage): Promise<SendOutcome> {
    const callback = callbackFor(o.statusCallback, m);
    const fields: Array<[string, string]> = [
      ['api_key', o.apiKey],
      ['api_secret', o.apiSecret],
      ['from', /^\+\d+$/.test(o.from) ? digits(o.from) : o.from],
      ['to', digits(m.to)],
      ['text', m.text],
      ...(isGsm7(m.text) ? [] : ([['type', 'unicode']] as Array<[string, string]>)),
      ['client-ref', deliveryRef(m)],
      ...(callback ? ([['callback', callback]] as Array<[string, string]>) : []),
    ];
    const res = await httpCall(call, `${smsBase}/sms/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: formBody(fields),
    });
    if (!res.ok) return res;
    const { status, json, retryAfterMs } = res.reply;
    if (status !== 200) {
      return {
        ok: false,
        error: statusError('vonage', status, retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    const first = (json as { messages?: Array<Record<string, unknown>> } | undefined)
      ?.messages?.[0];
    const code = first ? String(first.status ?? '') : '';
    const error =
      code === '' ? deliveryError('provider_error', { provider: 'vonage' }) : vonageSendError(code);
    if (error) return { ok: false, error };
    const id = first?.['message-id'];
    return typeof id === 'string' && id !== ''
      ? { ok: true, messageId: id, provider: 'vonage' }
      : { ok: false, error: deliveryError('provider_error', { provider: 'vonage' }) };
  }

  async function voice(m: OutgoingMessage): Promise<SendOutcome> {
    const cfg = v!;
    const language = (cfg.language ?? ttsLanguage)(m.locale);
    const eventUrl = callbackFor(cfg.eventUrl, m);
    const body = {
      to: [{ type: 'phone', number: digits(m.to) }],
      from: { type: 'phone', number: digits(callerId!) },
      ncco: voiceNcco(m.text, {
        language,
        ...(cfg.pauseSeconds !== undefined ? { pauseSeconds: cfg.pauseSeconds } : {}),
      }),
      ...(eventUrl ? { event_url: [eventUrl] } : {}),
    };
    const jwt = vonageJwt(key!, {
      applicationId: cfg.applicationId,
      iat: Math.floor(now() / 1000),
      ttlSeconds: cfg.tokenTtlSeconds ?? 300,
    });
    const res = await httpCall(call, `${voiceBase}/v1/calls`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${jwt}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
    });
    if (!res.ok) return res;
    const { status, json, retryAfterMs } = res.reply;
    const uuid = (json as { uuid?: unknown } | undefined)?.uuid;
    if (status >= 200 && status < 300 && typeof uuid === 'string' && uuid !== '') {
      return { ok: true, messageId: uuid, provider: 'vonage' };
    }
    return {
      ok: false,
      error: statusError('vonage', status, retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }

  const sender: NamedSender = {
    name: 'vonage',
    channels,
    // SMS receipts carry \`client-ref\`; call events carry the ref only on an event URL that
    // this sender appends it to.
    ...(!v || typeof v.eventUrl === 'string' ? { reportsCarryRef: true } : {}),
    send: async (m) => {
      if (!channels.includes(m.channel)) {
        return { ok: false, error: deliveryError('channel_unsupported', { provider: 'vonage' }) };
      }
      return m.channel === 'voice' ? voice(m) : sms(m);
    },
  };
  return o.retry === false ? sender : withRetry(sender, o.retry ?? {});
}
