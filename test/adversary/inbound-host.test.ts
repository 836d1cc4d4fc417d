/**
 * Attack: replay a signed inbound STOP captured at another deployment. Twilio signs the URL
 * it called and the form, under the account's auth token; two apps on one Twilio account
 * (production and staging, or two products) share that token. With `inbound: { twilio:
 * { authToken } }` and no `url`, the URL checked is rebuilt from the request, the client's
 * `Host` header included (src/http/inbound.ts), so a request signed for
 * `other-app.example` is accepted here when the attacker sends `Host: other-app.example`
 * and the same path. Fixed: `url` is required (this app's public URL, as configured at
 * Twilio), so only requests signed for that URL are read, and a webhook without it is refused
 * at startup. Over real sockets on every framework.
 */

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { twilioSignature } from '../../src/delivery/twilio-signature';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import type { AnyOptions, Running } from '../http/servers';
import { FRAMEWORKS } from './support';

const VICTIM = '+12133734253';
const TOKEN = 'twilio-auth-token-shared-by-two-apps-01';
const PUBLIC = 'https://sms.acme.example/verify/inbound-sms';
const OTHER_HOST = 'staging.acme.example';

/** A raw POST (node:http, so the `Host` header is the attacker's). */
function post(base: string, host: string, body: string, signature: string) {
  const u = new URL(base);
  return new Promise<number>((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}/inbound-sms`,
        method: 'POST',
        headers: {
          host,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          'x-twilio-signature': signature,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const stop = () => ({
  MessageSid: `SM${randomUUID().replace(/-/g, '')}`,
  AccountSid: `AC${'e5'.repeat(16)}`,
  From: VICTIM,
  To: '+15005550006',
  Body: 'STOP',
  NumMedia: '0',
});

for (const [framework, mount] of FRAMEWORKS) {
  describe(`inbound STOP signed for another deployment (${framework})`, () => {
    let running: Running | undefined;
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });
    async function serve(options: AnyOptions) {
      const verifier = createVerifier({
        secret: 'inbound-host-adversary-secret-0123456789',
        store: memoryStore(),
        sender: outboxSender(),
        consent: consent({ ledger: memoryConsentLedger() }),
      });
      running = await mount(verifier, options);
      const entries = async () =>
        (await verifier.consent.history({ phone: VICTIM }))._unsafeUnwrap().entries;
      return { base: running.base, entries };
    }

    it('with `url` pinned, a STOP signed for another host is 401; one signed for the URL is read', async () => {
      const { base, entries } = await serve({
        inbound: { twilio: { authToken: TOKEN, url: PUBLIC } },
      });
      const path = new URL(base).pathname;
      for (const proto of ['http', 'https']) {
        const captured = stop();
        const signed = twilioSignature(
          TOKEN,
          `${proto}://${OTHER_HOST}${path}/inbound-sms`,
          captured,
        );
        const body = new URLSearchParams(captured).toString();
        expect(await post(base, OTHER_HOST, body, signed)).toBe(401);
      }
      expect(await entries()).toEqual([]);
      const genuine = stop();
      const body = new URLSearchParams(genuine).toString();
      expect(
        await post(base, 'sms.acme.example', body, twilioSignature(TOKEN, PUBLIC, genuine)),
      ).toBe(200);
      expect(await entries()).toEqual([expect.objectContaining({ kind: 'opted_out' })]);
    });

    it('without `url` the webhook is refused at startup: the Host header never chooses the URL checked', async () => {
      await expect(serve({ inbound: { twilio: { authToken: TOKEN } } } as never)).rejects.toThrow(
        /twilio\.url/,
      );
      expect(running).toBeUndefined();
    });
  });
}
