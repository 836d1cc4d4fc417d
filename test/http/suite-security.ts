/**
 * The shared HTTP suite, part 2: `authorize`, `context`, `mapResponse` and the consent
 * webhook (against the real consent feature).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { call, expectError, makeKit, PHONE } from './kit';
import { expectDocumented, routeOf } from './openapi';
import type { AnyOptions, Mount, MountOptions, Running } from './servers';

export function securitySuite(name: string, mount: Mount): void {
  describe(`${name}: authorize, context, mapResponse, signatures, consent`, () => {
    const open: Running[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((r) => r.close()));
    });

    async function setup(options: AnyOptions = {}, kit = makeKit(), m: MountOptions = {}) {
      const running = await mount(kit.verifier, { now: kit.now, ...options }, m);
      open.push(running);
      const api = async (method: string, rel: string, json?: unknown, init: RequestInit = {}) => {
        const r = await call(running.base + rel, {
          ...init,
          method,
          ...(json !== undefined ? { json } : {}),
        });
        const route = routeOf(method, rel);
        if (route && r.json && !('app' in r.json))
          expectDocumented(method, route, r.status, r.json);
        return r;
      };
      return { kit, api, running };
    }

    it('authorize: false is 403 forbidden before any work; it sees the operation', async () => {
      const seen: string[] = [];
      const { kit, api } = await setup({
        authorize: (req: { headers: Record<string, unknown> }, op: string) => {
          seen.push(op);
          return req.headers['x-role'] === 'admin';
        },
      });
      expectError(await api('POST', '/verifications', { phone: PHONE }), 403, 'forbidden');
      expect(kit.outbox.messages).toHaveLength(0);
      expect(kit.store.size()).toBe(0);
      const ok = await api(
        'POST',
        '/verifications',
        { phone: PHONE },
        { headers: { 'x-role': 'admin' } },
      );
      expect(ok.status).toBe(201);
      expectError(await api('GET', `/verifications/${ok.json.id}`), 403, 'forbidden');
      expect(seen).toEqual(['start', 'start', 'status']);
    });

    it("authorize may be async; a throw reaches the app's error handler, nothing else does", async () => {
      const { api, running } = await setup({
        authorize: async (req: { headers: Record<string, unknown> }) => {
          if (req.headers['x-boom']) throw new Error('auth backend down');
          return true;
        },
      });
      expect((await api('POST', '/verifications', { phone: 'nope' })).status).toBe(400);
      expect(running.appErrors).toHaveLength(0);
      const boom = await api(
        'POST',
        '/verifications',
        { phone: PHONE },
        { headers: { 'x-boom': '1' } },
      );
      expect(boom.status).toBe(500);
      expect(boom.json).toEqual({ app: 'handled' });
      expect(running.appErrors).toHaveLength(1);
    });

    it('default context: proxy-aware IP, user agent and device id reach the events', async () => {
      // Trusting the proxy's address (here the loopback peer), not every hop: trusting
      // every hop with IP budgets on is refused (test/adversary/client-ip.test.ts).
      const { kit, api } = await setup({}, makeKit(), { trustProxy: '127.0.0.1' });
      await api(
        'POST',
        '/verifications',
        { phone: PHONE },
        {
          headers: {
            'user-agent': 'suite/1.0',
            'x-device-id': 'dev-42',
            'x-forwarded-for': '203.0.113.9',
          },
        },
      );
      const started = kit.events.find((e) => e.type === 'verification.started');
      expect(started?.context).toEqual({
        ip: '203.0.113.9',
        userAgent: 'suite/1.0',
        deviceId: 'dev-42',
      });
    });

    it('without trust proxy the forwarded header is ignored; custom context replaces the default', async () => {
      const plain = await setup();
      await plain.api(
        'POST',
        '/verifications',
        { phone: PHONE },
        { headers: { 'x-forwarded-for': '203.0.113.9' } },
      );
      expect(plain.kit.events.find((e) => e.type === 'verification.started')?.context?.ip).toBe(
        '127.0.0.1',
      );
      const custom = await setup({ context: () => ({ userId: 'u-1', os: 'ios' }) });
      await custom.api('POST', '/verifications', { phone: PHONE });
      expect(custom.kit.events.find((e) => e.type === 'verification.started')?.context).toEqual({
        userId: 'u-1',
        os: 'ios',
      });
    });

    it('mapResponse reshapes successes and errors and sees the full result', async () => {
      const { kit, api } = await setup({
        mapResponse: (
          res: { status: number; body: unknown },
          info: { operation: string; result?: unknown; error?: { code: string } },
        ) =>
          info.error
            ? {
                status: 200,
                body: {
                  statusCode: res.status,
                  statusMessage: info.error.code,
                  sentSuccess: false,
                },
              }
            : {
                status: res.status,
                body: {
                  token: (info.result as { id: string }).id,
                  sentSuccess: true,
                  op: info.operation,
                },
              },
      });
      const ok = await call(`${(await Promise.resolve(open.at(-1)!)).base}/verifications`, {
        method: 'POST',
        json: { phone: PHONE },
      });
      expect(ok.status).toBe(201);
      expect(ok.json).toEqual({ token: expect.any(String), sentSuccess: true, op: 'start' });
      const bad = await call(`${open.at(-1)!.base}/verifications`, {
        method: 'POST',
        json: { phone: 'x' },
      });
      expect(bad.json).toEqual({
        statusCode: 400,
        statusMessage: 'invalid_phone',
        sentSuccess: false,
      });
      const notJson = await call(`${open.at(-1)!.base}/verifications`, {
        method: 'POST',
        body: 'x',
        headers: { 'content-type': 'text/plain' },
      });
      expect(notJson.json).toEqual({
        statusCode: 415,
        statusMessage: 'unsupported_media_type',
        sentSuccess: false,
      });
      expect(kit.outbox.messages).toHaveLength(1);
      void api;
    });

    describe('consent webhook', () => {
      const consentText = 'I agree to receive verification codes by SMS.';
      const consentKit = () =>
        makeKit({
          consent: consent({
            ledger: memoryConsentLedger(),
            required: { version: 3, text: consentText },
          }),
        } as never);

      it('start needs consent when required; the consent given is recorded', async () => {
        const { api, kit } = await setup({}, consentKit());
        expectError(await api('POST', '/verifications', { phone: PHONE }), 403, 'consent_required');
        const ok = await api('POST', '/verifications', {
          phone: PHONE,
          consent: { text: consentText, version: 3, source: 'web_form' },
        });
        expect(ok.status).toBe(201);
        expect(kit.outbox.messages).toHaveLength(1);
      });

      it('STOP through the webhook opts the number out: start is then refused', async () => {
        const { api, kit } = await setup({ inbound: { unsafe: 'unauthenticated' } }, consentKit());
        const consent = { text: consentText, version: 3, source: 'web_form' };
        expect((await api('POST', '/verifications', { phone: PHONE, consent })).status).toBe(201);
        const stop = await api('POST', '/inbound-sms', { from: PHONE, text: 'STOP' });
        expect(stop.status).toBe(200);
        expect(stop.json.action).toBe('opted_out');
        expect(typeof stop.json.reply).toBe('string');
        const refused = await api('POST', '/verifications', { phone: PHONE });
        // Answered like a number that never consented (no opt-out oracle).
        expect(refused.json.error.code).toBe('consent_required');
        const help = await api('POST', '/inbound-sms', { from: PHONE, text: 'help' });
        expect(help.json.action).toBe('help');
        const none = await api('POST', '/inbound-sms', { from: PHONE, text: 'hello there' });
        expect(none.json).toEqual({ action: 'none' });
        expectError(await api('POST', '/inbound-sms', { from: PHONE }), 400, 'invalid_request');
        expect(kit.outbox.messages).toHaveLength(1);
      });
    });
  });
}
