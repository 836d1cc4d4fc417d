/**
 * The abuse defenses treat WhatsApp exactly as SMS: the country allow list, number types
 * denied for SMS, the global message and cost budgets (one price per country, whatever the
 * channel), and resends. Each scenario runs once with SMS and once with WhatsApp, and the
 * answers must be the same.
 */
import maxMetadata from 'libphonenumber-js/metadata.max.json';
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../src/ports/sender';
import { setup } from '../support/setup';
import { outcome, spreadNumbers } from './support';

type Options = Parameters<typeof setup>[0];

/** Starts each number on `channel` (then resends the first once); the answers and messages. */
async function run(options: Options, phones: readonly string[], channel: Channel) {
  const t = setup({ policy: { resendCooldownMs: 0, maxResendCooldownMs: 0 }, ...options });
  const answers: string[] = [];
  let first: string | undefined;
  for (const phone of phones) {
    const r = await t.verifier.start({ phone, channel });
    answers.push(outcome(r));
    if (r.isOk()) first ??= r.value.id;
  }
  if (first) answers.push(outcome(await t.verifier.resend({ id: first, channel })));
  return { answers, sent: t.outbox.messages.map((m) => [m.to, m.channel]) };
}

const SCENARIOS: readonly [string, Options, readonly string[]][] = [
  ['country allow list', { allowedCountries: ['US'] }, ['+12133734253', '+447400123456']],
  [
    'number types denied for SMS',
    { abuse: { numberTypes: { metadata: maxMetadata, denyForSms: ['FIXED_LINE'] } } },
    ['+4930123456', '+447400123456'],
  ],
  ['messages per day', { abuse: { global: { messagesPerDay: 3 } } }, spreadNumbers(4)],
  [
    'cost per day (per-country prices)',
    { abuse: { global: { costPerDay: 0.1, prices: { US: 0.01, GB: 0.04 } } } },
    ['+447400123456', '+33612345678', '+447400123457', '+12133734253'],
  ],
];

describe('abuse defenses on WhatsApp', () => {
  it.each(SCENARIOS)('%s: the same answers as SMS', async (_name, options, phones) => {
    const sms = await run(options, phones, 'sms');
    const wa = await run(options, phones, 'whatsapp');
    expect(wa.answers).toEqual(sms.answers);
    expect(wa.sent.map(([to]) => to)).toEqual(sms.sent.map(([to]) => to));
    expect(wa.sent.every(([, c]) => c === 'whatsapp')).toBe(true);
    // Every scenario refuses something: the defense is exercised, not bypassed.
    expect(sms.answers.some((a) => a !== 'ok')).toBe(true);
  });
});
