/**
 * The shared HTTP suite, part 1: every route and every error mapping, against a listening
 * server (real sockets). Each adapter's test file runs it with its own `Mount`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryConsentLedger } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { call, expectError, makeKit, PHONE, PHONE2, type Reply } from './kit';
import { expectDocumented, routeOf } from './openapi';
import type { AnyOptions, Mount, Running } from './servers';

export function routeSuite(name: string, mount: Mount): void {
  describe(`${name}: routes and error mapping`, () => {
    let running: Running | undefined;
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });

    async function setup(options: AnyOptions = {}, kit = makeKit()) {
      running = await mount(kit.verifier, { now: kit.now, ...options });
      const base = running.base;
      const api = async (method: string, rel: string, json?: unknown, init: RequestInit = {}) => {
        const r = await call(base + rel, {
          ...init,
          method,
          ...(json !== undefined ? { json } : {}),
        });
        const route = routeOf(method, rel);
        if (route && r.json && !('app' in r.json))
          expectDocumented(method, route, r.status, r.json);
        return r;
      };
      const start = async (phone = PHONE) => {
        const r = await api('POST', '/verifications', { phone });
        expect(r.status).toBe(201);
        return { id: r.json.id as string, code: kit.outbox.last()!.code, reply: r };
      };
      return { kit, api, start, running };
    }

    it('start answers 201 with a masked number and timings, and sends one code', async () => {
      const { kit, start } = await setup();
      const { reply } = await start();
      expect(reply.json).toMatchObject({
        status: 'pending',
        to: '+1 ••• ••• ••53',
        channel: 'sms',
        purpose: 'verify',
        expiresIn: 600,
        resendIn: 30,
        sendsLeft: 4,
      });
      expect(reply.json.id).toMatch(/^[A-Za-z0-9_-]{70}$/);
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
      expect(kit.outbox.messages).toHaveLength(1);
    });

    it('start passes channel, purpose and locale through and ignores unknown fields', async () => {
      const { kit, api } = await setup();
      const r = await api('POST', '/verifications', {
        phone: '(213) 373-4253',
        channel: 'voice',
        purpose: 'login',
        locale: 'en',
        silent: true,
        extra: { deep: 1 },
      });
      // No default country: a national number is refused, unknown fields are not an error.
      expectError(r, 400, 'invalid_phone');
      const ok = await api('POST', '/verifications', {
        phone: PHONE,
        channel: 'voice',
        purpose: 'login',
        silent: true,
      });
      expect(ok.status).toBe(201);
      expect(ok.json).toMatchObject({ channel: 'voice', purpose: 'login' });
      // `silent` is the server's decision: a client cannot suppress events.
      expect(kit.events.some((e) => e.type === 'verification.sent')).toBe(true);
    });

    it('start honours the Idempotency-Key header: a retry returns the same verification', async () => {
      const { kit, api } = await setup();
      const headers = { 'idempotency-key': 'signup-7f3a' };
      const first = await api('POST', '/verifications', { phone: PHONE }, { headers });
      const retry = await api('POST', '/verifications', { phone: PHONE }, { headers });
      expect(first.status).toBe(201);
      expect(retry.json.id).toBe(first.json.id);
      expect(kit.outbox.messages).toHaveLength(1);
      const other = await api('POST', '/verifications', { phone: PHONE2 }, { headers });
      expectError(other, 409, 'idempotency_conflict');
    });

    it('check: a wrong code is 400 code_mismatch with attemptsLeft; the right one approves', async () => {
      const { api, start } = await setup();
      const { id, code } = await start();
      const wrong = await api('POST', `/verifications/${id}/check`, {
        code: code === '000000' ? '111111' : '000000',
      });
      expectError(wrong, 400, 'code_mismatch');
      expect(wrong.json.error.attemptsLeft).toBe(4);
      const right = await api('POST', `/verifications/${id}/check`, { code });
      expect(right.status).toBe(200);
      expect(right.json).toMatchObject({
        status: 'approved',
        id,
        to: '+1 ••• ••• ••53',
        purpose: 'verify',
      });
      expect(right.json).not.toHaveProperty('phone');
      const again = await api('POST', `/verifications/${id}/check`, { code });
      expectError(again, 404, 'not_found');
    });

    it('check: too many wrong codes is 429 max_attempts_reached', async () => {
      const { api, start } = await setup();
      const { id, code } = await start();
      const wrongCode = code === '000000' ? '111111' : '000000';
      let last: Reply | undefined;
      for (let i = 0; i < 6; i += 1)
        last = await api('POST', `/verifications/${id}/check`, { code: wrongCode });
      expect(last?.status).toBeGreaterThanOrEqual(400);
      const codes = new Set<string>();
      const r = await api('POST', `/verifications/${id}/check`, { code });
      codes.add(r.json.error.code);
      expect(['max_attempts_reached', 'not_found', 'locked']).toContain(r.json.error.code);
    });

    it('resend too soon is 429 with Retry-After; after the cooldown it sends a new code', async () => {
      const { kit, api, start } = await setup();
      const { id } = await start();
      const soon = await api('POST', `/verifications/${id}/resend`, {});
      expectError(soon, 429, 'resend_too_soon');
      expect(soon.json.error.retryAfter).toBe(30);
      expect(soon.headers.get('retry-after')).toBe('30');
      kit.clock.now += 30_000;
      const later = await api('POST', `/verifications/${id}/resend`);
      expect(later.status).toBe(200);
      expect(later.json).toMatchObject({ id, status: 'pending', sendsLeft: 3 });
      expect(kit.outbox.messages).toHaveLength(2);
    });

    it('resend accepts a channel switch and refuses a bad channel', async () => {
      const { kit, api, start } = await setup();
      const { id } = await start();
      kit.clock.now += 30_000;
      expectError(
        await api('POST', `/verifications/${id}/resend`, { channel: 'fax' }),
        400,
        'invalid_request',
      );
      const voice = await api('POST', `/verifications/${id}/resend`, { channel: 'voice' });
      expect(voice.json.channel).toBe('voice');
    });

    it('a locked phone is 429 locked with Retry-After on start', async () => {
      const { api, start, kit } = await setup();
      for (let round = 0; round < 3; round += 1) {
        const { id, code } = await start();
        const wrongCode = code === '000000' ? '111111' : '000000';
        for (let i = 0; i < 5; i += 1)
          await api('POST', `/verifications/${id}/check`, { code: wrongCode });
        kit.clock.now += 31_000;
      }
      const r = await api('POST', '/verifications', { phone: PHONE });
      expectError(r, 429, 'locked');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('status: GET shows attempts left; unknown and malformed ids are 404', async () => {
      const { api, start } = await setup();
      const { id } = await start();
      const r = await api('GET', `/verifications/${id}`);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({
        id,
        status: 'pending',
        attemptsLeft: 5,
        sendsLeft: 4,
      });
      // The phone's state (shared by every id of the phone) only with statusShowsPhone.
      expect(r.json).not.toHaveProperty('lockedUntil');
      expect(r.json).not.toHaveProperty('failedVerifications');
      expectError(await api('GET', `/verifications/${'A'.repeat(70)}`), 404, 'not_found');
      expectError(await api('GET', '/verifications/nope'), 404, 'not_found');
    });

    it('expired codes are 410 expired', async () => {
      const { kit, api, start } = await setup();
      const { id, code } = await start();
      kit.clock.now += 10 * 60_000 + 1;
      const r = await api('POST', `/verifications/${id}/check`, { code });
      expect([410, 404]).toContain(r.status);
      expect(['expired', 'not_found']).toContain(r.json.error.code);
    });

    it('cancel: DELETE cancels; the code then no longer works', async () => {
      const { api, start } = await setup();
      const { id, code } = await start();
      const r = await api('DELETE', `/verifications/${id}`);
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ id, status: 'canceled' });
      expectError(await api('POST', `/verifications/${id}/check`, { code }), 404, 'not_found');
    });

    it('input errors: invalid phone, missing or mistyped fields, non-object bodies', async () => {
      const { api } = await setup();
      expectError(
        await api('POST', '/verifications', { phone: 'not a phone' }),
        400,
        'invalid_phone',
      );
      expectError(await api('POST', '/verifications', {}), 400, 'invalid_request');
      expectError(await api('POST', '/verifications', { phone: { a: 1 } }), 400, 'invalid_request');
      expectError(await api('POST', '/verifications', [PHONE]), 400, 'invalid_request');
      expectError(await api('POST', '/verifications', 'hello'), 400, 'invalid_request');
      expectError(await api('POST', '/verifications', null), 400, 'invalid_request');
      expectError(
        await api('POST', '/verifications', { phone: PHONE, consent: 'yes' }),
        400,
        'invalid_request',
      );
      expectError(
        await api('POST', `/verifications/${'A'.repeat(70)}/check`, {}),
        400,
        'invalid_request',
      );
      expectError(
        await api('POST', `/verifications/${'A'.repeat(70)}/check`, { code: 'abc' }),
        400,
        'invalid_request',
      );
    });

    it('body errors: bad JSON 400, not JSON 415, too large 413, all as catalog errors', async () => {
      const { api } = await setup({ bodyLimit: 1024 });
      const raw = (body: string, type: string) =>
        api('POST', '/verifications', undefined, { body, headers: { 'content-type': type } });
      const bad = await raw('{"phone": "+1213', 'application/json');
      expectError(bad, 400, 'invalid_request');
      expect(bad.text).not.toContain('1213');
      expectError(
        await raw('phone=%2B12133734253', 'application/x-www-form-urlencoded'),
        415,
        'unsupported_media_type',
      );
      expectError(
        await raw('{"phone":"+12133734253"}', 'text/plain'),
        415,
        'unsupported_media_type',
      );
      expectError(
        await raw(JSON.stringify({ phone: 'x'.repeat(2000) }), 'application/json'),
        413,
        'payload_too_large',
      );
      expectError(
        await raw('{"phone":"+12133734253"}', 'application/json; charset=utf-16'),
        415,
        'unsupported_media_type',
      );
      const ok = await raw('{"phone":"+12133734253"}', 'application/json; charset=utf-8');
      expect(ok.status).toBe(201);
    });

    it('a bad percent-encoding in the path is a 400, never a 5xx', async () => {
      const { running } = await setup();
      const r = await fetch(`${running.base}/verifications/%E0%A4%A`);
      expect(r.status).toBe(400);
    });

    it('only the documented routes exist; the webhook only with consent and inbound auth configured', async () => {
      const { api, running } = await setup({ inbound: false });
      const hook = await fetch(`${running.base}/inbound-sms`, { method: 'POST' });
      expect(hook.status).toBe(404);
      const other = await api('PUT', `/verifications/${'A'.repeat(70)}`, { a: 1 });
      expect(other.status).toBe(404);
      await running.close();
      // A verifier without consent configured has no webhook; with consent it has one.
      const second = await setup();
      expect((await fetch(`${second.running.base}/inbound-sms`, { method: 'POST' })).status).toBe(
        404,
      );
      await second.running.close();
      // Consent alone does not mount it: the app must say how inbound messages are authenticated.
      const kit = makeKit({ consent: consent({ ledger: memoryConsentLedger() }) });
      const third = await setup({}, kit);
      expect((await fetch(`${third.running.base}/inbound-sms`, { method: 'POST' })).status).toBe(
        404,
      );
      await third.running.close();
      const fourth = await setup({ inbound: { unsafe: 'unauthenticated' } }, kit);
      const hookUp = await fourth.api('POST', '/inbound-sms', { from: PHONE, text: 'HELP' });
      expect(hookUp.json.action).toBe('help');
    });
  });
}
