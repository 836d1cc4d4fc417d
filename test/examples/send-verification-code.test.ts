/**
 * `POST api/Lead/SendVerificationCode` (reference page 000) reproduced by
 * examples/send-verification-code: the documented VerificationRequestDTO sample in,
 * PhoneVerificationDTO out.
 */
import type { RequestListener } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createSendVerificationCodeApp } from '../../examples/send-verification-code/app';
import type { VerifierEvent } from '../../src/index';
import { app as authenticator } from '../totp/support';
import { consoleLines, fakeClock, fixture, listen, postJson } from './support';

const ROUTE = '/api/Lead/SendVerificationCode';
const PHONE = '+1 213 373 4253';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup() {
  const time = fakeClock();
  const out = consoleLines();
  const events: VerifierEvent[] = [];
  const built = createSendVerificationCodeApp({
    now: time.now,
    write: out.write,
    onEvent: (e) => void events.push(e),
  });
  const server = await listen(built.app as unknown as RequestListener);
  close = server.close;
  const sample = await fixture('send-verification-code.request.json');
  const documented = await fixture('send-verification-code.response.json');
  const post = (body: unknown) => postJson(server.url + ROUTE, body);
  return { ...built, time, out, events, sample, documented, post };
}

const MFA_FIELDS = ['MFAAttemptCount', 'AttemptsLeft', 'IsMFALock', 'MFALockDate'];

describe('examples/send-verification-code', () => {
  it('answers the documented sample, verbatim, in the PhoneVerificationDTO shape', async () => {
    const t = await setup();
    // The sample's PhoneNo is the placeholder "sample string 2" and its Code "sample string 5".
    const r = await t.post(t.sample);
    expect(r.status).toBe(400);
    expect(Object.keys(r.body).sort()).toEqual(
      [...Object.keys(t.documented), ...MFA_FIELDS].sort(),
    );
    // A Code is present, so this is a check; the code placeholder is refused first.
    expect(r.body).toMatchObject({
      ToUserId: 3,
      FromUserId: 0,
      status: 'invalid_request',
      number: '',
      NotificationType: 1,
      exception: expect.stringContaining('`code`'),
    });
    // Without the Code it is a send, and the phone placeholder is refused.
    const send = await t.post({ ...t.sample, Code: '' });
    expect(send.status).toBe(400);
    expect(send.body).toMatchObject({ status: 'invalid_phone', number: '' });
    expect(t.out.lines).toEqual([]);
  });

  it('sends a code to the sample with a real number, records its opt-in, and checks the code', async () => {
    const t = await setup();
    const send = { ...t.sample, PhoneNo: PHONE, Code: '' };
    const sent = await t.post(send);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      ToUserId: 3,
      FromUserId: 0,
      number: '+1 ••• ••• ••53',
      status: 'pending',
      exception: null,
      NotificationType: 1,
      MFAAttemptCount: 0,
      AttemptsLeft: 5,
      IsMFALock: false,
      MFALockDate: null,
    });
    const code = t.out.lastCode();
    expect(JSON.stringify(sent.body)).not.toContain(code);
    expect(t.out.lines[0]).toMatch(/^\[phoneproof\] sms to \+1 ••• ••• ••53: /);

    // IsOptInConsent + OptInMessageContent + OptInMessageVersion became a ledger entry.
    const consent = (await t.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
    expect(consent.entries).toHaveLength(1);
    expect(consent.entries[0]).toMatchObject({
      kind: 'opted_in',
      text: 'sample string 9',
      version: '10',
    });

    const wrong = await t.post({ ...send, Code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ status: 'code_mismatch', AttemptsLeft: 4 });

    const right = await t.post({ ...send, Code: code });
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ status: 'approved', exception: null, MFAAttemptCount: 0 });
    expect(t.events.map((e) => e.type)).toContain('verification.approved');
    expect(t.events.find((e) => e.type === 'verification.started')?.context).toMatchObject({
      userId: '3',
      leadId: 7,
    });
  });

  it('reads the MFA attempt count and lock date from the verification status', async () => {
    const t = await setup();
    const send = { ...t.sample, PhoneNo: '+1 213 373 4254', Code: '' };
    for (let round = 1; round <= 3; round += 1) {
      const sent = await t.post(send);
      expect(sent.status).toBe(200);
      expect(sent.body.MFAAttemptCount).toBe(round - 1);
      const code = t.out.lastCode();
      const bad = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i += 1) await t.post({ ...send, Code: bad });
      t.time.advance(60_000);
    }
    const locked = await t.post(send);
    expect(locked.status).toBe(429);
    expect(locked.body).toMatchObject({ status: 'locked', IsMFALock: true });
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
    const until = Date.parse(locked.body.MFALockDate as string);
    expect(until).toBeGreaterThan(t.time.now());
  });

  it('VerificationType 2 calls the number', async () => {
    const t = await setup();
    const r = await t.post({ ...t.sample, PhoneNo: PHONE, Code: '', VerificationType: 2 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ NotificationType: 2, status: 'pending' });
    expect(t.out.lines[0]).toMatch(/^\[phoneproof\] voice to /);
  });

  it('VerificationType 3 checks the code of an authenticator app (the AuthenticatorKey)', async () => {
    const t = await setup();
    const subject = 'user-3';
    const enrolled = (await t.verifier.totp.enroll({ subject }))._unsafeUnwrap();
    const phoneApp = authenticator(enrolled.secret, t.time.clock);
    (await t.verifier.totp.confirm({ subject, token: phoneApp.code() }))._unsafeUnwrap();
    t.time.advance(30_000);

    const asked = await t.post({ ...t.sample, PhoneNo: PHONE, Code: '', VerificationType: 3 });
    expect(asked.body).toMatchObject({ status: 'pending', NotificationType: 3 });
    expect(t.out.lines).toEqual([]);

    const ok = await t.post({
      ...t.sample,
      PhoneNo: PHONE,
      Code: phoneApp.code(),
      VerificationType: 3,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'approved', MFAAttemptCount: 0, IsMFALock: false });
  });

  it('refuses a body that is not a VerificationRequestDTO in the same shape', async () => {
    const t = await setup();
    const r = await t.post({ PhoneNo: 5 });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ status: 'invalid_request', exception: 'PhoneNo is required.' });
  });
});
