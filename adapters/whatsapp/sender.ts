/**
 * `whatsappCloudSender`: a code as a WhatsApp authentication template through Meta's Cloud
 * API (`POST /{version}/{phone-number-id}/messages`, Bearer token), over `fetch`. The code is
 * the body parameter and the copy-code / one-tap button's URL parameter, as Meta's
 * authentication templates require; the message's ref rides in `biz_opaque_callback_data`,
 * which Meta echoes in status webhooks. Meta error codes become typed delivery errors (the
 * number not on WhatsApp is permanent, so the verifier can fall back to SMS).
 * @module
 */
import { deliveryError } from '../../src/delivery/errors';
import { deliveryRef } from '../../src/delivery/report';
import { whatsappCodeError } from '../../src/delivery/whatsapp-codes';
import {
  authenticationTemplate,
  type WhatsAppTemplate,
} from '../../src/delivery/whatsapp-templates';
import type { OutgoingMessage, SendOutcome } from '../../src/ports/sender';
import type { NamedSender } from '../../src/senders/failover';
import { type HttpReply, httpCall, replyOutcome } from '../../src/senders/http';
import { withRetry } from '../../src/senders/retry';
import { type WhatsAppCloudSenderOptions, type WhatsAppSetup, whatsappSetup } from './options';

export type { WhatsAppCloudSenderOptions, WhatsAppCloudTemplate } from './options';

/** The Cloud API message body of an authentication template carrying `m.code`. */
export function cloudTemplateBody(template: WhatsAppTemplate, m: OutgoingMessage) {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: m.to.replace(/^\+/, ''),
    type: 'template',
    template: authenticationTemplate(template, m.code),
    biz_opaque_callback_data: deliveryRef(m),
  };
}

/** What the Cloud API's reply means: `messages[0].id`, or Meta's error code. */
function cloudOutcome(reply: HttpReply): SendOutcome {
  const json = reply.json;
  const body = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const id = (body.messages as Array<{ id?: unknown }> | undefined)?.[0]?.id;
  const code = Number((body.error as { code?: unknown } | undefined)?.code);
  return replyOutcome('whatsapp', reply, id, code, whatsappCodeError);
}

async function sendOnce(setup: WhatsAppSetup, m: OutgoingMessage): Promise<SendOutcome> {
  if (m.channel !== 'whatsapp') {
    return { ok: false, error: deliveryError('channel_unsupported', { provider: 'whatsapp' }) };
  }
  const template = setup.template(m.locale);
  if (template === undefined) {
    return {
      ok: false,
      error: deliveryError('provider_config', {
        provider: 'whatsapp',
        message: `whatsapp: no authentication template for the locale ${JSON.stringify(m.locale.slice(0, 35))}.`,
      }),
    };
  }
  const res = await httpCall(setup.call, setup.url, {
    method: 'POST',
    headers: {
      authorization: setup.authorization,
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: JSON.stringify(cloudTemplateBody(template, m)),
  });
  return res.ok ? cloudOutcome(res.reply) : res;
}

/** Builds a WhatsApp Cloud API sender. Throws on misconfiguration. */
export function whatsappCloudSender(options: WhatsAppCloudSenderOptions): NamedSender {
  const setup = whatsappSetup(options);
  const sender: NamedSender = {
    name: 'whatsapp',
    channels: ['whatsapp'],
    send: (m) => sendOnce(setup, m),
  };
  return options.retry === false ? sender : withRetry(sender, options.retry ?? {});
}
