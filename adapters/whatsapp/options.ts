/**
 * The options of `whatsappCloudSender` and their checks: the system-user access token, the
 * business phone number id, the pinned Graph API version, the authentication template per
 * locale, API origin, timeout and retry. {@link whatsappSetup} validates them once, at
 * construction (throwing on misconfiguration), and derives what every request reuses.
 * @module
 */
import {
  checkWhatsAppTemplate,
  type TemplatePicker,
  templatePicker,
  type WhatsAppTemplate,
  type WhatsAppTemplates,
} from '../../src/delivery/whatsapp-templates';
import type { HttpCall } from '../../src/senders/http';
import { type HttpSenderOptions, httpCallOf, httpUrlOf } from '../../src/senders/http-options';

/** An approved authentication template: its name and language code (e.g. `en_US`). */
export type WhatsAppCloudTemplate = WhatsAppTemplate;

export interface WhatsAppCloudSenderOptions extends HttpSenderOptions {
  /** A (system user) access token with `whatsapp_business_messaging`. Sent as a Bearer token. */
  readonly accessToken: string;
  /** The business phone number's id (WhatsApp Manager → API setup), digits. */
  readonly phoneNumberId: string;
  /** The Graph API version to call, pinned, e.g. `v23.0`. */
  readonly apiVersion: string;
  /** The authentication template per locale (or a function of the locale). */
  readonly templates: WhatsAppTemplates<WhatsAppCloudTemplate>;
  /** Locale whose template is used when a locale has none (default `en`). */
  readonly defaultLocale?: string;
  /** API origin (default `https://graph.facebook.com`): proxies, tests. */
  readonly baseUrl?: string;
}

/** Checked options and what each request reuses. @internal */
export interface WhatsAppSetup {
  /** `<base>/<version>/<phone-number-id>/messages`. */
  readonly url: string;
  readonly authorization: string;
  readonly template: TemplatePicker<WhatsAppCloudTemplate>;
  readonly call: HttpCall;
}

function fail(message: string): never {
  throw new TypeError(`phoneproof/whatsapp: ${message}`);
}

/** Checks the options. Throws on misconfiguration. */
export function whatsappSetup(options: WhatsAppCloudSenderOptions): WhatsAppSetup {
  const o = options ?? fail('options are required.');
  if (typeof o.accessToken !== 'string' || o.accessToken.trim() === '') {
    fail('accessToken is required.');
  }
  if (!/^\d{1,32}$/.test(o.phoneNumberId ?? '')) fail('phoneNumberId must be the numeric id.');
  if (!/^v\d{1,3}\.\d{1,3}$/.test(o.apiVersion ?? '')) fail('apiVersion must look like v23.0.');
  const template = templatePicker(o.templates, o.defaultLocale, checkWhatsAppTemplate, fail);
  const base = httpUrlOf(o.baseUrl ?? 'https://graph.facebook.com', 'baseUrl', fail);
  const call = httpCallOf(o, 'whatsapp', fail);
  return {
    url: `${base}/${o.apiVersion}/${o.phoneNumberId}/messages`,
    authorization: `Bearer ${o.accessToken.trim()}`,
    template,
    call,
  };
}
