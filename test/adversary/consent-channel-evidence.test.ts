/**
 * Consent evidence a browser cannot choose. Over HTTP the server records its own
 * `consentSource` whatever the body says; the `channel` evidence field (the channel consent was
 * given for: with `start`, the start's channel) must not be the body's either. An anonymous
 * client starting an SMS verification with `consent.channel: 'whatsapp'` gets an entry for
 * SMS (the HTTP input reads only the schema's consent fields). Over real sockets on every
 * framework adapter; a regression guard, not a finding.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import type { Running } from '../http/servers';
import { FRAMEWORKS } from './support';

const PHONE = '+12133734253';
const TEXT = 'Yes, text me one-time codes. Msg & data rates may apply.';

for (const [framework, mount] of FRAMEWORKS) {
  describe(`consent channel evidence over HTTP (${framework})`, () => {
    let running: Running | undefined;
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });

    it("a start's consent is recorded for the start's channel, not one the body names", async () => {
      const verifier = createVerifier({
        secret: 'consent-channel-evidence-secret-0123456789',
        store: memoryStore(),
        sender: outboxSender(),
        consent: consent({ ledger: memoryConsentLedger(), required: { version: 1, text: TEXT } }),
      });
      running = await mount(verifier);
      const r = await fetch(`${running.base}/verifications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          phone: PHONE,
          channel: 'sms',
          consent: { text: TEXT, version: 1, source: 'sms_keyword', channel: 'whatsapp' },
        }),
      });
      expect(r.status).toBe(201);
      const history = (await verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
      const entry = history.entries.at(-1)!;
      expect(entry.source).toBe('web'); // the server's, as before
      expect(entry.channel).toBe('sms');
    });
  });
}
