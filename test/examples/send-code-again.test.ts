/**
 * `POST api/Account/UpdateSendCodeAgain` (reference page 003) reproduced by
 * examples/send-code-again: the documented AccountModel sample in, the lockout view out
 * (AccessFailedCount, LockoutEnabled, LockoutEndDateUtc, PhoneNumberConfirmed,
 * TwoFactorEnabled) read from phoneproof's status, never from the request.
 */
import type { RequestListener } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createSendCodeAgainApp } from '../../examples/send-code-again/app';
import { consoleLines, fakeClock, fixture, listen, postJson } from './support';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup() {
  const time = fakeClock();
  const out = consoleLines();
  const built = createSendCodeAgainApp({ now: time.now, write: out.write });
  const server = await listen(built.app as unknown as RequestListener);
  close = server.close;
  const sample = await fixture('send-code-again.request.json');
  return {
    ...built,
    time,
    out,
    sample,
    again: (body: unknown = sample) =>
      postJson(`${server.url}/api/Account/UpdateSendCodeAgain`, body),
    verify: (code: string) =>
      postJson(`${server.url}/api/Account/VerifyCode`, { ...sample, SecurityCode: code }),
  };
}

const VIEW = [
  'ID',
  'PhoneNumber',
  'PhoneNumberConfirmed',
  'TwoFactorEnabled',
  'LockoutEnabled',
  'AccessFailedCount',
  'LockoutEndDateUtc',
];

describe('examples/send-code-again', () => {
  it('answers the documented AccountModel sample with the lockout view from the server records', async () => {
    const t = await setup();
    const r = await t.again();
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual([...VIEW].sort());
    // The sample claims AccessFailedCount 14, a lockout date and a confirmed number: ignored.
    expect(r.body).toEqual({
      ID: 'c2556b9f-5550-423d-bcfa-9422eac2ee24',
      PhoneNumber: '+1 ••• ••• ••53',
      PhoneNumberConfirmed: false,
      TwoFactorEnabled: true,
      LockoutEnabled: true,
      AccessFailedCount: 0,
      LockoutEndDateUtc: null,
    });
    expect(t.out.lines).toHaveLength(1);
    expect(t.out.lines[0]).toMatch(/^\[phoneproof\] sms to \+1 ••• ••• ••53: /);
    // The model's SecurityCode ("sample string 6") is not a code, and nothing echoes it.
    expect(JSON.stringify(r.body)).not.toContain('sample string');
  });

  it('sends again after the cooldown, and the earlier code stops working', async () => {
    const t = await setup();
    await t.again();
    const first = t.out.lastCode();
    const soon = await t.again();
    expect(soon.status).toBe(429);
    expect(soon.body.Message).toBe('Wait before asking for another code.');
    expect(soon.headers.get('retry-after')).toBe('30');
    expect(soon.body.AccessFailedCount).toBe(0);

    t.time.advance(31_000);
    const again = await t.again();
    expect(again.status).toBe(200);
    const second = t.out.lastCode();
    expect(t.out.lines).toHaveLength(2);
    if (first !== second) {
      expect((await t.verify(first)).body.Message).toBe('The code is not correct.');
    }
    const ok = await t.verify(second);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ PhoneNumberConfirmed: true, AccessFailedCount: 0 });
  });

  it('AccessFailedCount counts each wrong SecurityCode as ASP.NET Identity does: rises, resets on success, locks at 5', async () => {
    const t = await setup();
    await t.again();
    const code = t.out.lastCode();
    const bad = code === '000000' ? '111111' : '000000';
    // Two wrong codes in a row: the count rises with each.
    const first = await t.verify(bad);
    expect(first.status).toBe(400);
    expect(first.body).toMatchObject({ Message: 'The code is not correct.', AccessFailedCount: 1 });
    expect((await t.verify(bad)).body.AccessFailedCount).toBe(2);
    // A right code resets it.
    const ok = await t.verify(code);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ AccessFailedCount: 0, PhoneNumberConfirmed: true });

    // The fifth wrong code in a row locks the account for 5 minutes; the count starts again.
    t.time.advance(31_000);
    expect((await t.again()).status).toBe(200);
    const counts: unknown[] = [];
    for (let i = 0; i < 4; i += 1) counts.push((await t.verify(bad)).body.AccessFailedCount);
    expect(counts).toEqual([1, 2, 3, 4]);
    const fifth = await t.verify(bad);
    expect(fifth.status).toBe(429);
    expect(fifth.body).toMatchObject({
      Message: 'Too many failed verifications. Try again later.',
      AccessFailedCount: 0,
      LockoutEndDateUtc: new Date(t.time.now() + 5 * 60_000).toISOString(),
    });
    expect(fifth.headers.get('retry-after')).toBe('300');
    // Locked out: no code is sent and none is checked, not even a right one.
    const lines = t.out.lines.length;
    t.time.advance(60_000);
    expect((await t.again()).status).toBe(429);
    expect((await t.verify(t.out.lastCode())).status).toBe(429);
    expect(t.out.lines).toHaveLength(lines);
    // After the lockout, codes are sent again.
    t.time.advance(4 * 60_000);
    const after = await t.again();
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ AccessFailedCount: 0, LockoutEndDateUtc: null });
  });

  it("LockoutEndDateUtc also shows phoneproof's lock of the phone, the later of the two", async () => {
    const t = await setup();
    let last: Awaited<ReturnType<typeof t.verify>> | undefined;
    for (let round = 0; round < 3; round += 1) {
      expect((await t.again()).status).toBe(200);
      const bad = t.out.lastCode() === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i += 1) last = await t.verify(bad);
      t.time.advance(5 * 60_000 + 1_000);
    }
    // Three used-up verifications lock the phone in phoneproof for 15 minutes, past the
    // account's 5-minute lockout.
    const locked = await t.again();
    expect(locked.status).toBe(429);
    const end = Date.parse(locked.body.LockoutEndDateUtc as string);
    expect(end).toBeGreaterThan(t.time.now() + 5 * 60_000);
    expect(last?.body.AccessFailedCount).toBe(0);
    expect(t.out.lines).toHaveLength(3);
  });

  it('refuses an unknown account and a model without ID', async () => {
    const t = await setup();
    const unknown = await t.again({ ...t.sample, ID: '00000000-0000-0000-0000-000000000000' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ Message: 'No such account.' });
    const noId = await t.again({ PhoneNumber: '+12133734253' });
    expect(noId.status).toBe(400);
    expect(t.out.lines).toEqual([]);
  });
});
