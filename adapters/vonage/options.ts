/**
 * The options of `vonageSender` and their checks: API credentials, sender id, callback and API
 * URLs, the optional voice application (id, RSA key, caller id), the optional WhatsApp
 * templates (./whatsapp-setup.ts), timeout and retry.
 * {@link vonageSetup} validates them once, at construction (throwing on misconfiguration), and
 * derives what every request reuses.
 * @module
 */
import type { KeyObject } from 'node:crypto';
import type { OutgoingMessage } from '../../src/ports/sender';
import type { HttpCall } from '../../src/senders/http';
import { type HttpSenderOptions, httpCallOf, httpUrlOf } from '../../src/senders/http-options';
import { rsaPrivateKey } from './jwt';
import {
  type VonageWhatsAppOptions,
  type VonageWhatsAppSetup,
  whatsappSetup,
} from './whatsapp-setup';

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

export interface VonageSenderOptions extends HttpSenderOptions {
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
  /** WhatsApp authentication templates through the Messages API; omitted: no WhatsApp. */
  readonly whatsapp?: VonageWhatsAppOptions;
}

/** The checked voice application: what a call needs. @internal */
export interface VonageVoiceSetup {
  readonly options: VonageVoiceOptions;
  readonly key: KeyObject;
  readonly callerId: string;
  /** Voice API origin, without a trailing slash. */
  readonly base: string;
}

/** Checked options and what each request reuses. @internal */
export interface VonageSetup {
  readonly options: VonageSenderOptions;
  /** SMS API origin, without a trailing slash. */
  readonly smsBase: string;
  readonly call: HttpCall;
  readonly now: () => number;
  /** Absent: the sender does SMS only. */
  readonly voice: VonageVoiceSetup | undefined;
  /** Absent: no WhatsApp. */
  readonly whatsapp: VonageWhatsAppSetup | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fail(message: string): never {
  throw new TypeError(`phoneproof/vonage: ${message}`);
}

/** A number without its `+`, as Vonage's APIs take it. */
export const digits = (e164: string) => e164.replace(/^\+/, '');

function voiceSetup(v: VonageVoiceOptions, from: string): VonageVoiceSetup {
  if (!UUID.test(v.applicationId ?? '')) fail('voice.applicationId must be a UUID.');
  const key = rsaPrivateKey(v.privateKey);
  const callerId = v.from ?? (/^\+?\d{6,15}$/.test(from) ? from : undefined);
  if (!callerId || !/^\+?\d{6,15}$/.test(callerId)) fail('voice.from must be a Vonage number.');
  if (typeof v.eventUrl === 'string') httpUrlOf(v.eventUrl, 'voice.eventUrl', fail);
  const base = httpUrlOf(v.baseUrl ?? 'https://api.nexmo.com', 'voice.baseUrl', fail);
  return { options: v, key, callerId, base };
}

/** Checks the options. Throws on misconfiguration. */
export function vonageSetup(options: VonageSenderOptions): VonageSetup {
  const o = options ?? fail('options are required.');
  if (!o.apiKey || !o.apiSecret) fail('apiKey and apiSecret are required.');
  if (!o.from) fail('from is required.');
  if (typeof o.statusCallback === 'string') httpUrlOf(o.statusCallback, 'statusCallback', fail);
  const smsBase = httpUrlOf(o.baseUrl ?? 'https://rest.nexmo.com', 'baseUrl', fail);
  const call = httpCallOf(o, 'vonage', fail);
  const now = o.now ?? Date.now;
  const voice = o.voice ? voiceSetup(o.voice, o.from) : undefined;
  const whatsapp = o.whatsapp ? whatsappSetup(o.whatsapp, fail) : undefined;
  return {
    options: o,
    smsBase,
    call,
    now,
    voice,
    whatsapp,
  };
}
