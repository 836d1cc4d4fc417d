/**
 * One WhatsApp authentication template through the Vonage Messages API v1
 * (`POST /v1/messages`, `channel: whatsapp`). Vonage sends templates with buttons (an
 * authentication template's copy-code / one-tap button) as `message_type: custom`, passing
 * Meta's `template` object through; the code is its body and button parameter, the message's
 * ref is `client_ref` (echoed in status webhooks). Basic auth with the API key and secret, or
 * the linked application's JWT. The reply is a `message_uuid`, else the HTTP status. @internal
 * @module
 */
import { deliveryError } from '../../src/delivery/errors';
import { deliveryRef } from '../../src/delivery/report';
import { authenticationTemplate } from '../../src/delivery/whatsapp-templates';
import type { OutgoingMessage, SendOutcome } from '../../src/ports/sender';
import { httpCall, statusError } from '../../src/senders/http';
import { vonageJwt } from './jwt';
import { digits, type VonageSetup } from './options';
import type { VonageWhatsAppSetup } from './whatsapp-setup';

function authorization(setup: VonageSetup, wa: VonageWhatsAppSetup): string {
  const a = wa.application;
  if (a === undefined) {
    const { apiKey, apiSecret } = setup.options;
    return `Basic ${Buffer.from(`${apiKey}:${apiSecret}`, 'utf8').toString('base64')}`;
  }
  const iat = Math.floor(setup.now() / 1000);
  return `Bearer ${vonageJwt(a.key, { applicationId: a.id, iat, ttlSeconds: a.ttlSeconds })}`;
}

/** Sends one authentication template. */
export async function vonageWhatsApp(
  setup: VonageSetup,
  wa: VonageWhatsAppSetup,
  m: OutgoingMessage,
): Promise<SendOutcome> {
  const template = wa.template(m.locale);
  if (template === undefined) {
    return { ok: false, error: deliveryError('provider_config', { provider: 'vonage' }) };
  }
  const body = {
    to: digits(m.to),
    from: wa.from,
    channel: 'whatsapp',
    message_type: 'custom',
    custom: {
      type: 'template',
      template: authenticationTemplate(template, m.code, { policy: 'deterministic' }),
    },
    client_ref: deliveryRef(m),
  };
  const res = await httpCall(setup.call, wa.url, {
    method: 'POST',
    headers: {
      authorization: authorization(setup, wa),
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) return res;
  const { status, json, retryAfterMs } = res.reply;
  const uuid = (json as { message_uuid?: unknown } | undefined)?.message_uuid;
  if (status >= 200 && status < 300 && typeof uuid === 'string' && uuid !== '') {
    return { ok: true, messageId: uuid, provider: 'vonage' };
  }
  const extra = retryAfterMs !== undefined ? { retryAfterMs } : {};
  // 402: the account is out of credit, which no retry at Vonage fixes.
  const error =
    status === 402
      ? deliveryError('provider_config', { provider: 'vonage', providerCode: 402 })
      : statusError('vonage', status, extra);
  return { ok: false, error };
}
