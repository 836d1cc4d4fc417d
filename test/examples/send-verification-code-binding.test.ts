/**
 * `POST api/Lead/SendVerificationCode` (reference page 000) as clients of the original
 * ASP.NET endpoint send it: member names in any case, numbers as strings (as the DTO's own
 * sample writes some), national numbers, form bodies; the resend cooldown; and the
 * authenticator enrollment that `VerifiedUserObj.AuthenticatorKey` stands for.
 */
import type { RequestListener } from 'node:http';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSendVerificationCodeApp,
  type SendVerificationCodeOptions,
} from '../../examples/send-verification-code/app';
import { app as authenticator } from '../totp/support';
import { consoleLines, fakeClock, fixture, listen, postJson, send } from './support';

const ROUTE = '/api/Lead/SendVerificationCode';
const PHONE = '+1 213 373 4253';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(options: SendVerificationCodeOptions = {}) {
  const time = fakeClock();
  const out = consoleLines();
  const built = createSendVerificationCodeApp({ now: time.now, write: out.write, ...options });
  const server = await listen(built.app as unknown as RequestListener);
  close = server.close;
  const sample = await fixture('send-verification-code.request.json');
  const post = (body: unknown) => postJson(server.url + ROUTE, body);
  const form = async (body: string) => {
    const r = await send(server.url + ROUTE, body, FORM);
    return { ...r, body: JSON.parse(r.text) as Record<string, unknown> };
  };
  const raw = (body: string, type: string) =>
    send(server.url + ROUTE, body, { 'content-type': type });
  return { ...built, time, out, sample, post, form, raw };
}

const other = (code: string) => (code === '000000' ? '111111' : '000000');

describe('examples/send-verification-code: ASP.NET binding', () => {
  it('binds member names without regard to case (phoneNo, userId, code)', async () => {
    const t = await setup();
    const r = await t.post({ phoneNo: PHONE, userId: 3, leadid: 7 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'pending', ToUserId: 3, number: '+1 ••• ••• ••53' });
    const ok = await t.post({ PHONENO: PHONE, code: t.out.lastCode() });
    expect(ok.body).toMatchObject({ status: 'approved' });
  });

  it('takes numeric strings for numeric members, and still refuses what is not a number', async () => {
    const t = await setup();
    const r = await t.post({ PhoneNo: PHONE, UserId: '3', LeadId: ' 7 ', VerificationType: '2' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ToUserId: 3, NotificationType: 2 });
    expect(t.out.lines[0]).toMatch(/^\[phoneproof\] voice to /);
    for (const UserId of ['3a', '1.5', '99999999999', true]) {
      const bad = await t.post({ PhoneNo: PHONE, UserId });
      expect(bad.status, String(UserId)).toBe(400);
      expect(bad.body).toMatchObject({
        status: 'invalid_request',
        exception: 'UserId must be an integer.',
      });
    }
    const flag = await t.post({ PhoneNo: PHONE, IsOptInConsent: 'maybe' });
    expect(flag.body.exception).toBe('IsOptInConsent must be a boolean.');
  });

  it('reads a national number in the default region (US unless configured), still refusing bad numbers', async () => {
    const t = await setup();
    const us = await t.post({ PhoneNo: '(213) 373-4253', UserId: 3 });
    expect(us.status).toBe(200);
    expect(us.body.number).toBe('+1 ••• ••• ••53');
    const bad = await t.post({ PhoneNo: '12', UserId: 3 });
    expect(bad.status).toBe(400);
    expect(bad.body.status).toBe('invalid_phone');
    await close?.();
    const gb = await setup({ defaultRegion: 'GB' });
    const r = await gb.post({ PhoneNo: '07400 123456', UserId: 3 });
    expect(r.status).toBe(200);
    expect(r.body.number).toMatch(/^\+44 /);
  });

  it('takes form bodies with the form binder names, opt-in included', async () => {
    const t = await setup();
    const body = new URLSearchParams({
      PhoneNo: PHONE,
      UserId: '3',
      LeadId: '7',
      IsOptInConsent: 'true',
      OptInMessageContent: 'I agree to receive texts.',
      OptInMessageVersion: '10',
      'VerifiedUserObj.AuthenticatorKey': 'ignored',
      'VerifiedUserObj[TotpSid]': 'ignored',
    });
    const r = await t.form(body.toString());
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'pending', ToUserId: 3 });
    const consent = (await t.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
    expect(consent.entries[0]).toMatchObject({ kind: 'opted_in', version: '10' });
    const ok = await t.form(`phoneno=${encodeURIComponent(PHONE)}&code=${t.out.lastCode()}`);
    expect(ok.body).toMatchObject({ status: 'approved' });
  });

  it('refuses malformed JSON and form bodies with the same clear 400, and fuzzed bodies never 500', async () => {
    const t = await setup();
    const json = await t.raw('{"PhoneNo": ', 'application/json');
    expect(json.status).toBe(400);
    expect(JSON.parse(json.text)).toMatchObject({ status: 'invalid_request' });
    const dup = await t.form('PhoneNo=1&phoneno=2');
    expect(dup.status).toBe(400);
    expect(dup.body).toMatchObject({
      status: 'invalid_request',
      exception: expect.stringContaining('twice'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.constantFrom('application/json', 'text/json', 'application/x-www-form-urlencoded'),
        async (body, type) => {
          const r = await t.raw(body, type);
          expect(r.status).toBeLessThan(500);
          expect(() => JSON.parse(r.text)).not.toThrow();
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('examples/send-verification-code: the resend cooldown', () => {
  it('a second send waits the same 30 s as 001 and 003, then sends again and the earlier code stops working', async () => {
    const t = await setup();
    const send = { ...t.sample, PhoneNo: PHONE, Code: '' };
    expect((await t.post(send)).status).toBe(200);
    const first = t.out.lastCode();
    const soon = await t.post(send);
    expect(soon.status).toBe(429);
    expect(soon.body).toMatchObject({ status: 'resend_too_soon' });
    expect(soon.headers.get('retry-after')).toBe('30');
    expect(t.out.lines).toHaveLength(1);
    t.time.advance(31_000);
    const again = await t.post({ ...send, VerificationType: 2 });
    expect(again.status).toBe(200);
    expect(t.out.lines.at(-1)).toMatch(/^\[phoneproof\] voice to /);
    const second = t.out.lastCode();
    if (first !== second) {
      expect((await t.post({ ...send, Code: first })).body.status).toBe('code_mismatch');
    }
    expect((await t.post({ ...send, Code: second })).body.status).toBe('approved');
  });
});

describe('examples/send-verification-code: authenticator enrollment (VerificationType 3)', () => {
  it("enrollment needs the user's own MFA phone on file proven, not any phone", async () => {
    const t = await setup();
    const totp = { ...t.sample, VerificationType: 3, Code: '' };
    // UserId 3 proves another number: no key.
    const elsewhere = { ...t.sample, PhoneNo: '+1 213 373 4254' };
    await t.post({ ...elsewhere, Code: '' });
    expect((await t.post({ ...elsewhere, Code: t.out.lastCode() })).body.status).toBe('approved');
    const refused = await t.post({ ...totp, PhoneNo: '+1 213 373 4254' });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).not.toContain('AuthenticatorKey');
    // A user with no MFA phone on file cannot enroll by proving the demo user's phone.
    await t.post({ ...t.sample, UserId: 9, PhoneNo: PHONE, Code: '' });
    const code = t.out.lastCode();
    expect((await t.post({ ...t.sample, UserId: 9, PhoneNo: PHONE, Code: code })).body.status).toBe(
      'approved',
    );
    expect((await t.post({ ...totp, UserId: 9, PhoneNo: PHONE })).status).toBe(403);
  });

  it('enrolls after the phone is verified, confirms with the first code, then verifies', async () => {
    const t = await setup();
    const totp = { ...t.sample, PhoneNo: PHONE, VerificationType: 3 };
    // Not enrolled and the phone not verified: no key is handed out.
    const early = await t.post({ ...totp, Code: '' });
    expect(early.status).toBe(403);
    expect(early.body).toMatchObject({ status: 'forbidden', NotificationType: 3 });
    expect(JSON.stringify(early.body)).not.toContain('AuthenticatorKey');

    // Verify the phone by SMS (same UserId), then ask for the authenticator.
    await t.post({ ...t.sample, PhoneNo: PHONE, Code: '' });
    const sms = await t.post({ ...t.sample, PhoneNo: PHONE, Code: t.out.lastCode() });
    expect(sms.body.status).toBe('approved');
    // Another user cannot use this user's phone verification.
    expect((await t.post({ ...totp, UserId: 4, Code: '' })).status).toBe(403);

    const enroll = await t.post({ ...totp, Code: '' });
    expect(enroll.status).toBe(200);
    expect(enroll.body).toMatchObject({
      status: 'enrollment_pending',
      NotificationType: 3,
      VerifiedUserObj: {
        AuthenticatorKey: expect.stringMatching(/^[A-Z2-7]{32}$/),
        AuthenticatorUri: expect.stringMatching(/^otpauth:\/\/totp\//),
        TotpSid: 'user-3',
      },
    });
    const key = (enroll.body.VerifiedUserObj as { AuthenticatorKey: string }).AuthenticatorKey;
    const phoneApp = authenticator(key, t.time.clock);

    // A wrong first code does not confirm; the app's code does, with recovery codes shown once.
    const wrong = await t.post({ ...totp, Code: other(phoneApp.code()) });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    const confirmed = await t.post({ ...totp, Code: phoneApp.code() });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'approved', NotificationType: 3 });
    expect(confirmed.body.RecoveryCodes).toHaveLength(10);

    // Enrolled: no new key is handed out; codes from the app verify.
    const asked = await t.post({ ...totp, Code: '' });
    expect(asked.body).toMatchObject({ status: 'pending' });
    expect(JSON.stringify(asked.body)).not.toContain(key);
    t.time.advance(30_000);
    const ok = await t.post({ ...totp, Code: phoneApp.code() });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'approved', MFAAttemptCount: 0, IsMFALock: false });
  });
});
