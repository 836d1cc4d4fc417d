/**
 * Attack: flood a number's consent with signed keywords through two instances of one
 * deployment (two verifiers, two store connections, one Redis prefix or one PostgreSQL
 * table), so that calls reach the store in an order other than their times': the instances'
 * clocks differ (docs/clocks.md allows up to 1 s), or a call takes its time before a
 * compare-and-set retry. With `inboundLimit: { max: 2, windowMs: 1 hour }` the ledger still
 * takes exactly 2 keyword opt-ins and 2 × 2 + 1 entries in the hour (a write with an earlier
 * time must not erase an opt-in counted at a later one), and 30 concurrent STARTs spread
 * over both instances on the store's clock admit exactly 2. Twilio-signed over real sockets
 * (`fetch` adapter), on real Redis and PostgreSQL (skipped without them, an error under
 * `CI=true`: test/registry.ts).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryConsentLedger } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { twilioSignature } from '../../src/delivery/twilio-signature';
import { createVerifier, type Verifier } from '../../src/index';
import type { ConsentLedger } from '../../src/ports/consent-ledger';
import type { Store } from '../../src/ports/store';
import { outboxSender } from '../../src/senders/outbox';
import { fetchServer } from '../http/fetch-server';
import type { Running } from '../http/servers';
import type { LedgerUnderTest, OpenedStore } from '../registry';
import { STORES } from './support';

const TOKEN = 'twilio-auth-token-inbound-instances-adversary';
const PUBLIC_URL = 'https://verify.acme.example/inbound-sms';
const HOUR = 3_600_000;
const LIMIT = { max: 2, windowMs: HOUR };
const SKEW_MS = 300;

const victim = () => `+1213373${String(randomInt(1000, 10_000))}`;

function instance(store: Store, ledger: ConsentLedger, now?: () => number): Verifier {
  return createVerifier({
    secret: 'inbound-instances-adversary-secret-0123456789',
    store,
    sender: outboxSender(),
    ...(now ? { now } : {}),
    consent: consent({ ledger, inboundLimit: LIMIT }),
  });
}

/** Sends one Twilio-signed keyword message to the instance at `running`. */
async function keyword(running: Running, from: string, body: string): Promise<void> {
  const p = {
    MessageSid: `SM${randomUUID().replace(/-/g, '')}`,
    AccountSid: `AC${'a7'.repeat(16)}`,
    From: from,
    To: '+15005550006',
    Body: body,
  };
  const r = await fetch(`${running.base}/inbound-sms`, {
    method: 'POST',
    body: new URLSearchParams(p).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(TOKEN, PUBLIC_URL, p),
    },
  });
  expect(r.status).toBe(200);
}

for (const kind of STORES.filter((s) => !s.injectedClock && s.shared)) {
  describe(`${kind.name}: the inbound keyword limit across two instances`, () => {
    let up = false;
    let first: OpenedStore & { readonly namespace: string };
    let second: OpenedStore;
    let ledgerUnderTest: LedgerUnderTest | undefined;
    let ledger: ConsentLedger;
    beforeAll(async () => {
      up = await kind.available();
      if (!up) return;
      const shared = kind.shared!;
      const location = shared.location('');
      first = await shared.fresh(location);
      second = await shared.open(location, first.namespace);
      ledgerUnderTest = kind.ledger ? await kind.ledger() : undefined;
      ledger = ledgerUnderTest?.ledger ?? memoryConsentLedger();
    });
    afterAll(async () => {
      if (!up) return;
      await second.close();
      await first.close();
      await ledgerUnderTest?.close();
    });

    it('clocks 300 ms apart, STOP/START alternating over both: 2 opt-ins and 5 ledger entries', async (t) => {
      if (!up) return t.skip();
      const clock = { now: Date.now() };
      const a = instance(first.store, ledger, () => clock.now + SKEW_MS);
      const b = instance(second.store, ledger, () => clock.now);
      const inbound = { twilio: { authToken: TOKEN, url: PUBLIC_URL } };
      const servers = [
        await fetchServer(a, { now: () => clock.now + SKEW_MS, inbound }),
        await fetchServer(b, { now: () => clock.now, inbound }),
      ];
      try {
        const phone = victim();
        for (let i = 0; i < 20; i += 1) {
          // Two messages on one instance, two on the other; 10 ms apart, well within the skew.
          await keyword(servers[Math.floor(i / 2) % 2]!, phone, i % 2 === 0 ? 'STOP' : 'START');
          clock.now += 10;
        }
        const h = (await b.consent.history({ phone }))._unsafeUnwrap();
        expect(h.entries.filter((e) => e.kind === 'opted_in')).toHaveLength(LIMIT.max);
        expect(h.entries).toHaveLength(2 * LIMIT.max + 1);
        expect(h.status.state).toBe('opted_out');
        expect(h.verdict.valid).toBe(true);
      } finally {
        for (const s of servers) await s.close();
      }
    });

    it('on the store clock, 30 concurrent STARTs over both instances admit exactly 2 (5 rounds)', async (t) => {
      if (!up) return t.skip();
      const a = instance(first.store, ledger);
      const b = instance(second.store, ledger);
      // Each instance samples the store's clock before the race.
      await a.consent.history({ phone: victim() });
      await b.consent.history({ phone: victim() });
      const admitted: number[] = [];
      for (let round = 0; round < 5; round += 1) {
        const phone = victim();
        const all = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            (i % 2 ? a : b).consent.inbound({
              from: phone,
              text: 'START',
              messageId: `SM${randomUUID().replace(/-/g, '')}`,
            }),
          ),
        );
        admitted.push(all.filter((r) => r._unsafeUnwrap().action === 'opted_in').length);
      }
      expect(admitted).toEqual([2, 2, 2, 2, 2]);
    });
  });
}
