/**
 * The shared HTTP suite, part 2: `authorize`, `context`, `mapResponse`, signed requests
 * (tamper, skew, replay across instances, unknown system) and the consent webhook.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger } from '../../adapters/memory/index';
import { signRequest } from '../../src/signatures/sign';
import { call, expectError, makeKit, PHONE, PHONE2 } from './kit';
import { expectDocumented, routeOf } from './openapi';
import type { AnyOptions, Mount, MountOptions, Running } from './servers';

const SYSTEM_SECRET = 'crm-system-secret-crm-system-secret!!';

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
      const { kit, api } = await setup({}, makeKit(), { trustProxy: true });
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

    describe('signed requests', () => {
      async function signedSetup(
        extra: { skewMs?: number; exempt?: ('status' | 'cancel')[] } = {},
      ) {
        const kit = makeKit();
        const options = {
          signatures: { systems: { crm: SYSTEM_SECRET }, store: kit.store, now: kit.now, ...extra },
        };
        const s = await setup(options, kit);
        const path = new URL(s.running.base).pathname;
        const send = (
          method: string,
          rel: string,
          body?: string,
          sign: {
            systemId?: string;
            secret?: string;
            timestamp?: number;
            path?: string;
            body?: string;
          } = {},
        ) => {
          const signedBody = sign.body ?? body;
          const headers = signRequest({
            systemId: sign.systemId ?? 'crm',
            secret: sign.secret ?? SYSTEM_SECRET,
            method,
            path: sign.path ?? path + rel,
            ...(signedBody !== undefined ? { body: signedBody } : {}),
            timestamp: sign.timestamp ?? kit.clock.now,
          });
          return s.api(method, rel, undefined, {
            ...(body !== undefined ? { body } : {}),
            headers: {
              ...headers,
              ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            },
          });
        };
        return { ...s, send, options };
      }
      const body = JSON.stringify({ phone: PHONE });

      it('a correctly signed request is served', async () => {
        const { send, kit } = await signedSetup();
        const r = await send('POST', '/verifications', body);
        expect(r.status).toBe(201);
        const status = await send('GET', `/verifications/${r.json.id}`);
        expect(status.status).toBe(200);
        expect(kit.outbox.messages).toHaveLength(1);
      });

      it('unsigned, tampered body, tampered path, wrong secret and unknown system are 401', async () => {
        const { send, api, kit } = await signedSetup();
        expectError(
          await api('POST', '/verifications', { phone: PHONE }),
          401,
          'signature_invalid',
        );
        const other = JSON.stringify({ phone: PHONE2 });
        expectError(
          await send('POST', '/verifications', other, { body }),
          401,
          'signature_invalid',
        );
        expectError(
          await send('POST', '/verifications', body, { path: '/elsewhere' }),
          401,
          'signature_invalid',
        );
        expectError(
          await send('POST', '/verifications', body, { secret: 'x'.repeat(40) }),
          401,
          'signature_invalid',
        );
        expectError(
          await send('POST', '/verifications', body, { systemId: 'billing' }),
          401,
          'signature_invalid',
        );
        expect(kit.outbox.messages).toHaveLength(0);
        expect(kit.store.size()).toBe(0);
      });

      it('a timestamp outside the skew window is refused, inside it is accepted', async () => {
        const { send, kit } = await signedSetup({ skewMs: 60_000 });
        const stale = await send('POST', '/verifications', body, {
          timestamp: kit.clock.now - 60_001,
        });
        expectError(stale, 401, 'signature_invalid');
        expect(stale.json.error.message).toMatch(/window/);
        expectError(
          await send('POST', '/verifications', body, { timestamp: kit.clock.now + 60_001 }),
          401,
          'signature_invalid',
        );
        expect(
          (await send('POST', '/verifications', body, { timestamp: kit.clock.now - 59_000 }))
            .status,
        ).toBe(201);
      });

      it('a replayed request is refused, also by another instance sharing the store', async () => {
        const s = await signedSetup();
        const first = await s.send('POST', '/verifications', body);
        expect(first.status).toBe(201);
        const again = await s.send('POST', '/verifications', body);
        expectError(again, 401, 'signature_invalid');
        expect(again.json.error.message).toMatch(/replay/);
        // Instance two: its own server, same store; the captured request is replayed to it.
        const two = await mount(s.kit.verifier, { now: s.kit.now, ...s.options });
        open.push(two);
        const path = new URL(s.running.base).pathname;
        const headers = signRequest({
          systemId: 'crm',
          secret: SYSTEM_SECRET,
          method: 'POST',
          path: `${path}/verifications`,
          body: JSON.stringify({ phone: PHONE2 }),
          timestamp: s.kit.clock.now,
        });
        const init = {
          method: 'POST',
          body: JSON.stringify({ phone: PHONE2 }),
          headers: { ...headers, 'content-type': 'application/json' },
        };
        expect((await call(`${s.running.base}/verifications`, init)).status).toBe(201);
        expectError(await call(`${two.base}/verifications`, init), 401, 'signature_invalid');
        expect(s.kit.outbox.messages).toHaveLength(2);
      });

      it('exempt operations skip the signature check', async () => {
        const { api } = await signedSetup({ exempt: ['status'] });
        expectError(await api('GET', `/verifications/${'A'.repeat(54)}`), 404, 'not_found');
        expectError(
          await api('DELETE', `/verifications/${'A'.repeat(54)}`),
          401,
          'signature_invalid',
        );
      });
    });

    describe('consent webhook', () => {
      const consentText = 'I agree to receive verification codes by SMS.';
      const consentKit = () =>
        makeKit({
          consent: { ledger: memoryConsentLedger(), required: { version: 3, text: consentText } },
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
        const { api, kit } = await setup({}, consentKit());
        const consent = { text: consentText, version: 3, source: 'web_form' };
        expect((await api('POST', '/verifications', { phone: PHONE, consent })).status).toBe(201);
        const stop = await api('POST', '/inbound-sms', { from: PHONE, text: 'STOP' });
        expect(stop.status).toBe(200);
        expect(stop.json.action).toBe('opted_out');
        expect(typeof stop.json.reply).toBe('string');
        const refused = await api('POST', '/verifications', { phone: PHONE });
        expect(refused.json.error.code).toBe('opted_out');
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
