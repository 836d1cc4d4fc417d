/**
 * The WhatsApp and Vonage Messages status parsers look a provider's word up in a table. A
 * word that names an `Object.prototype` property (`constructor`, `toString`, `__proto__`) is
 * not one the provider sends: it must be skipped (WhatsApp) or refused (Vonage), never come
 * out as a report whose `state` or `channel` is a function or an object (both parsers are
 * public: an application may use the report without `verifier.delivery`'s own check).
 */
import { describe, expect, it } from 'vitest';
import { DELIVERY_STATES } from '../../src/delivery/report';
import { parseVonageMessageStatus } from '../../src/delivery/vonage-messages-status';
import { parseWhatsAppWebhook } from '../../src/delivery/whatsapp-status';
import { isChannel } from '../../src/ports/sender';

const WORDS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

const whatsapp = (status: string) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      changes: [
        {
          field: 'messages',
          value: { statuses: [{ id: 'wamid.X', status, recipient_id: '5511987654321' }] },
        },
      ],
    },
  ],
});

describe('status words that are Object.prototype names', () => {
  it.each(WORDS)('WhatsApp status %s is skipped', (word) => {
    const r = parseWhatsAppWebhook(whatsapp(word))._unsafeUnwrap();
    for (const report of r.reports) expect(DELIVERY_STATES).toContain(report.state);
    expect(r.reports).toEqual([]);
  });

  it.each(WORDS)('Vonage Messages status or channel %s is refused', (word) => {
    const base = { message_uuid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', to: '447700900000' };
    const byStatus = parseVonageMessageStatus({ ...base, status: word, channel: 'whatsapp' });
    const byChannel = parseVonageMessageStatus({ ...base, status: 'delivered', channel: word });
    for (const r of [byStatus, byChannel]) {
      if (r.isOk()) {
        expect(DELIVERY_STATES).toContain(r.value.state);
        expect(isChannel(r.value.channel)).toBe(true);
      }
      expect(r.isErr()).toBe(true);
    }
  });
});
