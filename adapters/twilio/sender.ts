/**
 * `twilioSender`: SMS through the Messages API, WhatsApp through the same API with a Content
 * API authentication template (`whatsapp` option), and voice through the Calls API with inline
 * TwiML, over `fetch` (no Twilio SDK). Basic auth with the Account SID and auth token (or an
 * API key), form-encoded bodies as Twilio documents them, a timeout on every call, retries
 * with backoff for network/5xx/429 failures, and Twilio error codes mapped to typed
 * delivery errors. Options are checked in ./options.ts; requests and replies are in ./api.ts.
 * @module
 */
import { deliveryError } from '../../src/delivery/errors';
import type { Channel, OutgoingMessage, SendOutcome } from '../../src/ports/sender';
import type { NamedSender } from '../../src/senders/failover';
import { formBody, httpCall } from '../../src/senders/http';
import { withRetry } from '../../src/senders/retry';
import { twilioFields, twilioOutcome } from './api';
import { type TwilioSenderOptions, twilioSetup } from './options';

export type { TwilioSenderOptions } from './options';

/** Builds a Twilio sender. Throws on misconfiguration. */
export function twilioSender(options: TwilioSenderOptions): NamedSender {
  const setup = twilioSetup(options);
  const o = setup.options;
  const channels: Channel[] = [
    'sms',
    ...(setup.callerId ? (['voice'] as const) : []),
    ...(setup.whatsapp ? (['whatsapp'] as const) : []),
  ];

  async function sendOnce(m: OutgoingMessage): Promise<SendOutcome> {
    if (!channels.includes(m.channel)) {
      return { ok: false, error: deliveryError('channel_unsupported', { provider: 'twilio' }) };
    }
    const contentSid = m.channel === 'whatsapp' ? setup.whatsapp?.template(m.locale) : undefined;
    if (m.channel === 'whatsapp' && contentSid === undefined) {
      return { ok: false, error: deliveryError('provider_config', { provider: 'twilio' }) };
    }
    const url = `${setup.account}/${m.channel === 'voice' ? 'Calls' : 'Messages'}.json`;
    const res = await httpCall(setup.call, url, {
      method: 'POST',
      headers: {
        authorization: setup.authorization,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: formBody(twilioFields(setup, m, contentSid)),
    });
    return res.ok ? twilioOutcome(res.reply) : res;
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
