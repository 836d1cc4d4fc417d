import { generateKeyPairSync } from 'node:crypto';
import { twilioSender } from '../../adapters/twilio/index';
import { vonageSender } from '../../adapters/vonage/index';
import { deliveryError } from '../../src/delivery/errors';
import type { DeliveryError } from '../../src/ports/sender';
import { consoleSender } from '../../src/senders/console';
import { failoverSender } from '../../src/senders/failover';
import { outboxSender } from '../../src/senders/outbox';
import { type Delivered, senderContract } from '../contract/sender';
import type { FakeServer } from '../fakes/server';
import { startTwilioFake, TWILIO_ERRORS } from '../fakes/twilio';
import { startVonageFake, VONAGE_ERRORS } from '../fakes/vonage';

const accountSid = `AC${'a1'.repeat(16)}`;
const applicationId = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

/** What the fake Twilio accepted (201 answers). */
function twilioDelivered(fake: FakeServer): Delivered[] {
  return fake.requests.flatMap((req, i): Delivered[] => {
    if (fake.statuses[i] !== 201) return [];
    const f = new URLSearchParams(req.body);
    if (req.url.endsWith('/Calls.json'))
      return [{ channel: 'voice', content: f.get('Twiml') ?? '' }];
    return f.get('To')?.startsWith('whatsapp:')
      ? [{ channel: 'whatsapp', content: f.get('ContentVariables') ?? '' }]
      : [{ channel: 'sms', content: f.get('Body') ?? '' }];
  });
}

/** What the fake Vonage accepted (SMS status "0", call 201). */
function vonageDelivered(fake: FakeServer): Delivered[] {
  return fake.requests.flatMap((req, i): Delivered[] => {
    const reply = fake.replies[i]?.body as { messages?: Array<{ status: string }> } | undefined;
    if (req.url === '/sms/json' && reply?.messages?.[0]?.status === '0') {
      return [
        { channel: 'sms' as const, content: new URLSearchParams(req.body).get('text') ?? '' },
      ];
    }
    if (req.url === '/v1/calls' && fake.statuses[i] === 201) {
      const body = JSON.parse(req.body) as { ncco: Array<{ text: string }> };
      return [{ channel: 'voice' as const, content: body.ncco.map((a) => a.text).join('\n') }];
    }
    return [];
  });
}

senderContract('outbox', async () => {
  let next: DeliveryError | undefined;
  const sender = outboxSender({
    fail: () => {
      const e = next;
      next = undefined;
      return e;
    },
  });
  return {
    sender,
    channels: ['sms', 'voice', 'whatsapp'],
    delivered: () => sender.messages.map((m) => ({ channel: m.channel, content: m.text })),
    failNext: (kind) => {
      next = deliveryError(kind === 'permanent' ? 'invalid_number' : 'timeout', {
        provider: 'outbox',
      });
    },
  };
});

senderContract('console', async () => {
  const lines: string[] = [];
  const sender = consoleSender({ write: (l) => lines.push(l) });
  return {
    sender,
    channels: ['sms', 'voice', 'whatsapp'],
    delivered: () =>
      lines.map((l) => ({
        channel:
          (['voice', 'whatsapp'] as const).find((c) => l.startsWith(`[phoneproof] ${c}`)) ?? 'sms',
        content: l,
      })),
  };
});

senderContract('twilio', async () => {
  const fake = await startTwilioFake({ accountSid, authToken: 'tok', numbers: ['+15005550006'] });
  return {
    sender: twilioSender({
      accountSid,
      authToken: 'tok',
      from: '+15005550006',
      baseUrl: fake.url,
      retry: false,
    }),
    channels: ['sms', 'voice'],
    delivered: () => twilioDelivered(fake),
    failNext: (kind) =>
      fake.queue(kind === 'permanent' ? TWILIO_ERRORS.invalidTo : TWILIO_ERRORS.serverError),
    close: () => fake.close(),
  };
});

senderContract('twilio (with WhatsApp)', async () => {
  const fake = await startTwilioFake({
    accountSid,
    authToken: 'tok',
    numbers: ['+15005550006'],
    whatsappNumbers: ['+15005550006'],
    contents: { HXaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: ['1'] },
  });
  return {
    sender: twilioSender({
      accountSid,
      authToken: 'tok',
      from: '+15005550006',
      baseUrl: fake.url,
      retry: false,
      whatsapp: { from: '+15005550006', templates: { en: 'HXaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' } },
    }),
    channels: ['sms', 'voice', 'whatsapp'],
    delivered: () => twilioDelivered(fake),
    failNext: (kind) =>
      fake.queue(kind === 'permanent' ? TWILIO_ERRORS.invalidTo : TWILIO_ERRORS.serverError),
    close: () => fake.close(),
  };
});

senderContract('vonage', async () => {
  const fake = await startVonageFake({
    apiKey: 'k',
    apiSecret: 's',
    applicationId,
    publicKey: keys.publicKey,
  });
  return {
    sender: vonageSender({
      apiKey: 'k',
      apiSecret: 's',
      from: '+447700900000',
      baseUrl: fake.url,
      retry: false,
      voice: { applicationId, privateKey: keys.privateKey, baseUrl: fake.url },
    }),
    channels: ['sms', 'voice'],
    delivered: () => vonageDelivered(fake),
    failNext: (kind) =>
      fake.queue(kind === 'permanent' ? VONAGE_ERRORS.barred : VONAGE_ERRORS.internal),
    close: () => fake.close(),
  };
});

senderContract('vonage (SMS only)', async () => {
  const fake = await startVonageFake({ apiKey: 'k', apiSecret: 's' });
  return {
    sender: vonageSender({
      apiKey: 'k',
      apiSecret: 's',
      from: 'Acme',
      baseUrl: fake.url,
      retry: false,
    }),
    channels: ['sms'],
    delivered: () => vonageDelivered(fake),
    close: () => fake.close(),
  };
});

senderContract('failover (Twilio, then Vonage)', async () => {
  const twilio = await startTwilioFake({ accountSid, authToken: 'tok', numbers: ['+15005550006'] });
  const vonage = await startVonageFake({ apiKey: 'k', apiSecret: 's' });
  return {
    sender: failoverSender(
      [
        twilioSender({
          accountSid,
          authToken: 'tok',
          from: '+15005550006',
          baseUrl: twilio.url,
          retry: false,
        }),
        vonageSender({
          apiKey: 'k',
          apiSecret: 's',
          from: 'Acme',
          baseUrl: vonage.url,
          retry: false,
        }),
      ],
      { circuit: false },
    ),
    channels: ['sms', 'voice'],
    delivered: () => [...twilioDelivered(twilio), ...vonageDelivered(vonage)],
    failNext: (kind) => {
      if (kind === 'permanent') twilio.queue(TWILIO_ERRORS.notMobile);
      else {
        twilio.queue(TWILIO_ERRORS.serverError);
        vonage.queue(VONAGE_ERRORS.internal);
      }
    },
    close: async () => {
      await twilio.close();
      await vonage.close();
    },
  };
});
