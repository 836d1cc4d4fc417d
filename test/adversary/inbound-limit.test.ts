/**
 * Attack: flood a number's consent with signed keywords under a custom `consent.inboundLimit`.
 * Whoever holds signed inbound messages of a number (the number's own holder, or a replay of
 * fresh message ids from a compromised relay) toggles STOP and START to fill the ledger or to
 * keep re-subscribing someone. With `inboundLimit: { max: 2, windowMs: 1 hour }` the ledger
 * takes exactly 2 keyword opt-ins an hour (beyond that a START writes nothing), every STOP is
 * honoured, the next window admits START again, and a limit below 1 or a window below a
 * minute is refused at construction. Over real sockets on every framework, Twilio-signed.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { twilioSignature } from '../../src/delivery/twilio-signature';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import type { Running } from '../http/servers';
import { FRAMEWORKS } from './support';

const VICTIM = '+12133734253';
const TOKEN = 'twilio-auth-token-inbound-limit-adversary';
const HOUR = 3_600_000;
const LIMIT = { max: 2, windowMs: HOUR };

function verifierAt(clock: { now: number }, inboundLimit: unknown = LIMIT) {
  const now = () => clock.now;
  return createVerifier({
    secret: 'inbound-limit-adversary-secret-0123456789',
    store: memoryStore({ now }),
    sender: outboxSender(),
    now,
    consent: consent({ ledger: memoryConsentLedger(), inboundLimit: inboundLimit as never }),
  });
}

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** The webhook's public URL as configured at Twilio (what Twilio signs). */
const PUBLIC_URL = 'https://verify.acme.example/inbound-sms';

describe.each(FRAMEWORKS)('%s: a custom inbound keyword limit', (_name, mount) => {
  it('2 keyword opt-ins an hour, every STOP honoured, START again in the next window', async () => {
    const clock = { now: Date.UTC(2031, 4, 5, 9) };
    const verifier = verifierAt(clock);
    running = await mount(verifier, {
      now: () => clock.now,
      inbound: { twilio: { authToken: TOKEN, url: PUBLIC_URL } },
    });
    const url = `${running.base}/inbound-sms`;
    const keyword = async (body: string) => {
      const p = {
        MessageSid: `SM${randomUUID().replace(/-/g, '')}`,
        AccountSid: `AC${'f6'.repeat(16)}`,
        From: VICTIM,
        To: '+15005550006',
        Body: body,
      };
      const r = await fetch(url, {
        method: 'POST',
        body: new URLSearchParams(p).toString(),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(TOKEN, PUBLIC_URL, p),
        },
      });
      expect(r.status).toBe(200);
    };
    const history = async () => (await verifier.consent.history({ phone: VICTIM }))._unsafeUnwrap();
    for (let i = 0; i < 20; i += 1) {
      await keyword(i % 2 === 0 ? 'STOP' : 'START');
      clock.now += 1000;
    }
    const h = await history();
    const optIns = h.entries.filter((e) => e.kind === 'opted_in');
    expect(optIns).toHaveLength(LIMIT.max);
    expect(h.entries).toHaveLength(2 * LIMIT.max + 1);
    expect(h.status.state).toBe('opted_out');
    expect(h.verdict.valid).toBe(true);
    await keyword('START');
    expect((await history()).status.state).toBe('opted_out');
    // The window has passed since the first opt-in: START is read again.
    clock.now += HOUR;
    await keyword('START');
    expect((await history()).status.state).toBe('opted_in');
    await keyword('STOP');
    expect((await history()).status.state).toBe('opted_out');
  });
});

describe('consent.inboundLimit: refused below its floor at construction', () => {
  it('max below 1, a fractional max, or a window under a minute', () => {
    const clock = { now: 0 };
    for (const bad of [
      { max: 0, windowMs: HOUR },
      { max: 1.5, windowMs: HOUR },
      { max: 5, windowMs: 59_999 },
    ]) {
      expect(() => verifierAt(clock, bad)).toThrow(/inboundLimit/);
    }
    expect(() => verifierAt(clock, { max: 1, windowMs: 60_000 })).not.toThrow();
  });
});
