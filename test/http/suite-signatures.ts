/**
 * The shared HTTP suite, part 3: signed requests through the adapters (valid, unsigned,
 * tampered body or path, wrong secret, unknown system, skew, replay on the same and on
 * another instance sharing the store, exempt operations).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/signatures/sign';
import { call, expectError, makeKit, PHONE, PHONE2 } from './kit';
import { expectDocumented, routeOf } from './openapi';
import type { AnyOptions, Mount, Running } from './servers';

const SYSTEM_SECRET = 'crm-system-secret-crm-system-secret!!';

export function signatureSuite(name: string, mount: Mount): void {
  describe(`${name}: signed requests`, () => {
    const open: Running[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((r) => r.close()));
    });

    async function setup(options: AnyOptions, kit: ReturnType<typeof makeKit>) {
      const running = await mount(kit.verifier, { now: kit.now, ...options });
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

    async function signedSetup(extra: { skewMs?: number; exempt?: ('status' | 'cancel')[] } = {}) {
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
      expectError(await api('POST', '/verifications', { phone: PHONE }), 401, 'signature_invalid');
      const other = JSON.stringify({ phone: PHONE2 });
      expectError(await send('POST', '/verifications', other, { body }), 401, 'signature_invalid');
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
        (await send('POST', '/verifications', body, { timestamp: kit.clock.now - 59_000 })).status,
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
      expectError(await api('GET', `/verifications/${'A'.repeat(70)}`), 404, 'not_found');
      expectError(
        await api('DELETE', `/verifications/${'A'.repeat(70)}`),
        401,
        'signature_invalid',
      );
    });
  });
}
