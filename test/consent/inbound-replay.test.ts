/**
 * `consent.inbound` with `sentAt` (the provider's signed send time): a keyword sent longer
 * ago than the message-id dedup window that predates the number's newest consent entry is a
 * replay and changes nothing, for every caller (the WhatsApp webhook handler passes Meta's
 * `messages[].timestamp`; a framework-free caller passes it too).
 */
import { describe, expect, it } from 'vitest';
import { PHONE, setup } from './support';

const DAY = 86_400_000;

async function state(t: ReturnType<typeof setup>) {
  return (await t.verifier.consent.status({ phone: PHONE }))._unsafeUnwrap().state;
}

describe('consent.inbound with sentAt', () => {
  it('a START sent before a later STOP and replayed two days on changes nothing', async () => {
    const t = setup();
    const startSent = t.clock.now;
    await t.verifier.consent.inbound({
      from: PHONE,
      text: 'START',
      messageId: 'm1',
      sentAt: startSent,
    });
    t.clock.now += 60_000;
    await t.verifier.consent.inbound({
      from: PHONE,
      text: 'STOP',
      messageId: 'm2',
      sentAt: t.clock.now,
    });
    t.clock.now += 2 * DAY;
    await t.verifier.consent.inbound({
      from: PHONE,
      text: 'START',
      messageId: 'm1',
      sentAt: startSent,
    });
    expect(await state(t)).toBe('opted_out');
  });

  it('a genuine STOP delivered late, with nothing newer recorded, still opts out', async () => {
    const t = setup();
    const sent = t.clock.now;
    t.clock.now += 2 * DAY;
    await t.verifier.consent.inbound({
      from: PHONE,
      text: 'STOP',
      messageId: 'late',
      sentAt: sent,
    });
    expect(await state(t)).toBe('opted_out');
  });

  it('a sentAt that is not epoch milliseconds is invalid_request', async () => {
    const t = setup();
    for (const sentAt of [-1, 1.5, Number.NaN, '1700000000000']) {
      const r = await t.verifier.consent.inbound({
        from: PHONE,
        text: 'STOP',
        sentAt: sentAt as number,
      });
      expect(r._unsafeUnwrapErr().code).toBe('invalid_request');
    }
  });
});
