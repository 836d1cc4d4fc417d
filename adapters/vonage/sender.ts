/**
 * `vonageSender`: SMS through the Vonage SMS API and, when an application is configured,
 * voice through the Voice API (application JWT, inline NCCO), over `fetch` (no Vonage SDK).
 * WhatsApp authentication templates through the Messages API v1 (./whatsapp.ts) when the
 * `whatsapp` option is given. A timeout on every call, retries with backoff for network/5xx/429/throttled failures, and
 * Vonage status codes mapped to typed delivery errors. Options are checked in ./options.ts;
 * an SMS is sent by ./sms.ts, a call placed by ./call.ts.
 * @module
 */
import { deliveryError } from '../../src/delivery/errors';
import type { Channel } from '../../src/ports/sender';
import type { NamedSender } from '../../src/senders/failover';
import { withRetry } from '../../src/senders/retry';
import { vonageCall } from './call';
import { type VonageSenderOptions, vonageSetup } from './options';
import { vonageSms } from './sms';
import { vonageWhatsApp } from './whatsapp';

export type { VonageSenderOptions, VonageVoiceOptions } from './options';
export type { VonageWhatsAppOptions } from './whatsapp-setup';

/** Builds a Vonage sender. Throws on misconfiguration. */
export function vonageSender(options: VonageSenderOptions): NamedSender {
  const setup = vonageSetup(options);
  const { voice, whatsapp } = setup;
  const channels: Channel[] = [
    'sms',
    ...(voice ? (['voice'] as const) : []),
    ...(whatsapp ? (['whatsapp'] as const) : []),
  ];
  const sender: NamedSender = {
    name: 'vonage',
    channels,
    // SMS receipts carry \`client-ref\`; call events carry the ref only on an event URL that
    // this sender appends it to.
    ...(!voice || typeof voice.options.eventUrl === 'string' ? { reportsCarryRef: true } : {}),
    send: async (m) => {
      if (!channels.includes(m.channel)) {
        return { ok: false, error: deliveryError('channel_unsupported', { provider: 'vonage' }) };
      }
      if (m.channel === 'whatsapp' && whatsapp) return vonageWhatsApp(setup, whatsapp, m);
      return m.channel === 'voice' && voice ? vonageCall(setup, voice, m) : vonageSms(setup, m);
    },
  };
  const retry = setup.options.retry;
  return retry === false ? sender : withRetry(sender, retry ?? {});
}
