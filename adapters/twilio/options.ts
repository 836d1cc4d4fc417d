/**
 * The options of `twilioSender` and their checks: credentials, sender ids, callback and API
 * URLs, timeout and retry. {@link twilioSetup} validates them once, at construction (throwing
 * on misconfiguration), and derives what every request reuses: the Basic authorization, the
 * account's API root, the caller id, the WhatsApp sender and template per locale, and the
 * channels this account can send on.
 * @module
 */

import { twilioWhatsAppAddress } from '../../src/delivery/twilio-address';
import {
  type TemplatePicker,
  templatePicker,
  type WhatsAppTemplates,
} from '../../src/delivery/whatsapp-templates';
import type { OutgoingMessage } from '../../src/ports/sender';
import type { HttpCall } from '../../src/senders/http';
import { type HttpSenderOptions, httpCallOf, httpUrlOf } from '../../src/senders/http-options';

export interface TwilioSenderOptions extends HttpSenderOptions {
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
  readonly voice?: {
    /** `<Say voice>`, e.g. `Polly.Joanna`. */
    readonly voice?: string;
    /** Text-to-speech language for a message locale (default: `ttsLanguage`). */
    readonly language?: (locale: string) => string;
    /** Silence between lines, seconds (default 1). */
    readonly pauseSeconds?: number;
  };
  /** WhatsApp through the Messages API with Content API templates; omitted: no WhatsApp. */
  readonly whatsapp?: TwilioWhatsAppOptions;
}

/** WhatsApp: a Content API authentication template (`HX...`) per locale. */
export interface TwilioWhatsAppOptions {
  /** The WhatsApp sender registered with Twilio, E.164 (default: `messagingServiceSid`). */
  readonly from?: string;
  /** The approved authentication template's Content SID per locale (or a function). */
  readonly templates: WhatsAppTemplates<string>;
  /** Locale whose template is used when a locale has none (default `en`). */
  readonly defaultLocale?: string;
  /** The template variable that holds the code (default `1`, as in `{{1}}`). */
  readonly codeVariable?: string;
}

/** The checked WhatsApp options. @internal */
export interface TwilioWhatsAppSetup {
  /** `From` (`whatsapp:+...`), or undefined to send through the Messaging Service. */
  readonly from: string | undefined;
  readonly template: TemplatePicker<string>;
  readonly codeVariable: string;
}

/** Checked options and what each request reuses. @internal */
export interface TwilioSetup {
  readonly options: TwilioSenderOptions;
  /** `Basic ...` for the auth token or the API key. */
  readonly authorization: string;
  /** `<base>/2010-04-01/Accounts/<sid>`. */
  readonly account: string;
  /** Caller id for calls; without one the sender does SMS only. */
  readonly callerId: string | undefined;
  readonly call: HttpCall;
  /** Absent: no WhatsApp. */
  readonly whatsapp: TwilioWhatsAppSetup | undefined;
}

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;

function fail(message: string): never {
  throw new TypeError(`phoneproof/twilio: ${message}`);
}

function whatsappSetup(w: TwilioWhatsAppOptions, service: string | undefined) {
  if (w.from !== undefined && !E164.test(w.from)) fail('whatsapp.from must be E.164.');
  if (w.from === undefined && service === undefined) {
    fail('whatsapp.from (or messagingServiceSid) is required.');
  }
  const codeVariable = w.codeVariable ?? '1';
  if (typeof codeVariable !== 'string' || !/^[A-Za-z0-9_]{1,32}$/.test(codeVariable)) {
    fail('whatsapp.codeVariable must be a template variable name such as "1".');
  }
  const template = templatePicker(
    w.templates,
    w.defaultLocale,
    (sid) => (typeof sid === 'string' && CONTENT_SID.test(sid) ? undefined : 'not a Content SID.'),
    (message) => fail(`whatsapp.${message}`),
  );
  return { from: w.from && twilioWhatsAppAddress(w.from), template, codeVariable };
}

/** Checks the options. Throws on misconfiguration. */
export function twilioSetup(options: TwilioSenderOptions): TwilioSetup {
  const o = options ?? fail('options are required.');
  if (!ACCOUNT_SID.test(o.accountSid ?? '')) fail('accountSid must be "AC" + 32 hex digits.');
  if (!o.authToken && !o.apiKey) fail('authToken (or apiKey) is required.');
  if (o.apiKey && (!o.apiKey.sid || !o.apiKey.secret)) fail('apiKey needs sid and secret.');
  if (!o.from && !o.messagingServiceSid) fail('from or messagingServiceSid is required.');
  if (o.messagingServiceSid !== undefined && !SERVICE_SID.test(o.messagingServiceSid)) {
    fail('messagingServiceSid must be "MG" + 32 hex digits.');
  }
  if (o.voiceFrom !== undefined && !E164.test(o.voiceFrom)) fail('voiceFrom must be E.164.');
  if (typeof o.statusCallback === 'string') httpUrlOf(o.statusCallback, 'statusCallback', fail);
  const base = httpUrlOf(o.baseUrl ?? 'https://api.twilio.com', 'baseUrl', fail);
  const call = httpCallOf(o, 'twilio', fail);

  const whatsapp = o.whatsapp ? whatsappSetup(o.whatsapp, o.messagingServiceSid) : undefined;
  const user = o.apiKey ? o.apiKey.sid : o.accountSid;
  const secret = o.apiKey ? o.apiKey.secret : o.authToken!;
  return {
    options: o,
    authorization: `Basic ${Buffer.from(`${user}:${secret}`, 'utf8').toString('base64')}`,
    account: `${base}/2010-04-01/Accounts/${encodeURIComponent(o.accountSid)}`,
    callerId: o.voiceFrom ?? (o.from && E164.test(o.from) ? o.from : undefined),
    call,
    whatsapp,
  };
}
