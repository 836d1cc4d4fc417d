/**
 * The `whatsapp` option of `vonageSender` and its checks: the WhatsApp Business number linked
 * to the account, the approved authentication template per locale, the Messages API origin,
 * and how requests authenticate (Basic with the API key and secret, or an application's JWT).
 * @module
 */
import type { KeyObject } from 'node:crypto';
import {
  checkWhatsAppTemplate,
  type TemplatePicker,
  templatePicker,
  type WhatsAppTemplate,
  type WhatsAppTemplates,
} from '../../src/delivery/whatsapp-templates';
import { httpUrlOf } from '../../src/senders/http-options';
import { rsaPrivateKey } from './jwt';

export interface VonageWhatsAppOptions {
  /** The WhatsApp Business number connected to Vonage (with or without `+`). */
  readonly from: string;
  /** The approved authentication template (name, language code) per locale, or a function. */
  readonly templates: WhatsAppTemplates<WhatsAppTemplate>;
  /** Locale whose template is used when a locale has none (default `en`). */
  readonly defaultLocale?: string;
  /** Messages API origin (default `https://api.nexmo.com`). */
  readonly baseUrl?: string;
  /**
   * Authenticate with this Vonage application's JWT (the application linked to the WhatsApp
   * number). Omitted: Basic auth with `apiKey` and `apiSecret`.
   */
  readonly application?: {
    readonly applicationId: string;
    /** The application's RSA private key, PEM. */
    readonly privateKey: string | Buffer;
    /** JWT lifetime, seconds (default 300). */
    readonly tokenTtlSeconds?: number;
  };
}

/** The checked WhatsApp option. @internal */
export interface VonageWhatsAppSetup {
  /** The sender, digits. */
  readonly from: string;
  readonly template: TemplatePicker<WhatsAppTemplate>;
  /** `<base>/v1/messages`. */
  readonly url: string;
  /** The application to sign a JWT for; absent: Basic auth. */
  readonly application:
    | { readonly id: string; readonly key: KeyObject; readonly ttlSeconds: number }
    | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks the option; `fail` is the adapter's. Throws on misconfiguration. */
export function whatsappSetup(
  w: VonageWhatsAppOptions,
  fail: (message: string) => never,
): VonageWhatsAppSetup {
  if (!/^\+?[1-9]\d{6,14}$/.test(w.from ?? '')) fail('whatsapp.from must be a phone number.');
  const template = templatePicker(w.templates, w.defaultLocale, checkWhatsAppTemplate, (m) =>
    fail(`whatsapp.${m}`),
  );
  const base = httpUrlOf(w.baseUrl ?? 'https://api.nexmo.com', 'whatsapp.baseUrl', fail);
  const a = w.application;
  if (a !== undefined && !UUID.test(a.applicationId ?? '')) {
    fail('whatsapp.application.applicationId must be a UUID.');
  }
  return {
    from: w.from.replace(/^\+/, ''),
    template,
    url: `${base}/v1/messages`,
    application:
      a === undefined
        ? undefined
        : {
            id: a.applicationId,
            key: rsaPrivateKey(a.privateKey),
            ttlSeconds: a.tokenTtlSeconds ?? 300,
          },
  };
}
