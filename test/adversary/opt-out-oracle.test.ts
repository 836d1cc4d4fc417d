/**
 * Hole 8, the free opt-out oracle: a start without consent answered `opted_out` for numbers
 * that texted STOP and `consent_required` otherwise, and refused starts spent no budget. The
 * attacker probes numbers from one IP without ever giving consent, learning who opted out
 * without a single message leaving. Over real sockets on both framework adapters.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import type { Running } from '../http/servers';
import { FRAMEWORKS, MEMORY_ONLY, STORES } from './support';

const SECRET = 'opt-out-oracle-secret-opt-out-oracle-secret!';
const OPTED_OUT = '+12133734253';
const NEVER = '+12133734254';
const CONSENT_TEXT = 'Yes, text me one-time codes. Msg & data rates may apply.';
const T0 = Date.UTC(2030, 0, 1);

async function kit(make: (typeof STORES)[number]['make']) {
  const clock = { now: T0 };
  const now = () => clock.now;
  const outbox = outboxSender();
  const s = await make(now);
  const verifier = createVerifier({
    secret: SECRET,
    store: s.store,
    sender: outbox,
    now,
    consent: consent({
      ledger: memoryConsentLedger(),
      required: { version: 1, text: CONSENT_TEXT },
    }),
  });
  return { clock, now, outbox, verifier, close: s.close };
}

async function start(base: string, body: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(`${base}/verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  const h = Object.fromEntries(
    [...r.headers.entries()].filter(([k]) => k !== 'date' && k !== 'etag'),
  );
  return { status: r.status, text, headers: h, json: JSON.parse(text) };
}

for (const [framework, mount] of FRAMEWORKS) {
  describe(`opt-out oracle (${framework})`, () => {
    let running: Running | undefined;
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await running?.close();
      await close?.();
      running = undefined;
      close = undefined;
    });

    for (const S of MEMORY_ONLY) {
      it(`opted-out and never-consented numbers answer alike (${S.name})`, async () => {
        const k = await kit(S.make);
        close = k.close;
        await k.verifier.consent.record({ phone: OPTED_OUT, text: CONSENT_TEXT, version: 1 });
        await k.verifier.consent.optOut({ phone: OPTED_OUT, source: 'sms_keyword' });
        running = await mount(k.verifier, { now: k.now });
        const a = await start(running.base, { phone: OPTED_OUT });
        const b = await start(running.base, { phone: NEVER });
        expect(a.status).toBe(403);
        expect(a.json.error.code).toBe('consent_required');
        expect(a.status).toBe(b.status);
        expect(a.text).toBe(b.text);
        expect(a.headers).toEqual(b.headers);
        // Same answer with another channel and purpose.
        const c = await start(running.base, { phone: OPTED_OUT, channel: 'voice', purpose: 'x' });
        const d = await start(running.base, { phone: NEVER, channel: 'voice', purpose: 'x' });
        expect(c.text).toBe(d.text);
        expect(k.outbox.messages).toHaveLength(0);
      });
    }

    for (const S of STORES) {
      it(`120 probes from one IP are rate limited; nothing is sent; other requesters unaffected (${S.name})`, async (ctx) => {
        if (!(await S.available())) return ctx.skip();
        const k = await kit(S.make);
        close = k.close;
        running = await mount(k.verifier, { now: k.now }, { trustProxy: '127.0.0.1' });
        const ip = { 'x-forwarded-for': '198.51.100.7' };
        const codes = new Map<string, number>();
        for (let i = 0; i < 120; i++) {
          const phone = `+1213373${4000 + i}`;
          const r = await start(running.base, { phone }, ip);
          const code = r.json.error?.code ?? `status ${r.status}`;
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
        expect(k.outbox.messages).toHaveLength(0);
        expect(codes.get('rate_limited') ?? 0).toBeGreaterThan(0);
        expect((codes.get('consent_required') ?? 0) + (codes.get('rate_limited') ?? 0)).toBe(120);
        // The probing spent the prober's budget only: a user elsewhere, on a number in the
        // very same block, still gets a code.
        const other = await start(
          running.base,
          { phone: '+12133734299', consent: { text: CONSENT_TEXT, version: 1 } },
          { 'x-forwarded-for': '203.0.113.9' },
        );
        expect(other.status).toBe(201);
        expect(k.outbox.messages).toHaveLength(1);
      });
    }
  });
}
