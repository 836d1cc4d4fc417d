/**
 * The subject's failure budget: wrong authenticator codes, replayed codes and wrong recovery
 * codes share it; it locks like a phone (policy.lockout); a success resets it.
 */
import { describe, expect, it } from 'vitest';
import { totp } from '../../src/totp/index';
import { enrolled, SUBJECT, totpSetup } from './support';

const MIN = 60_000;
const wrongOf = (code: string) => code.replace(/^./, (d) => String((Number(d) + 1) % 10));

describe('failure budget and lockout', () => {
  it('maxChecks wrong codes count as one failure; threshold failures lock the subject', async () => {
    const t = totpSetup({
      totp: totp({ qr: false }),
      policy: { maxChecks: 2, lockout: { threshold: 2, durationMs: 10 * MIN } },
    });
    const { app } = await enrolled(t);
    t.advance(30_000);
    const v = t.verifier.totp;
    const left: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await v.verify({ subject: SUBJECT, token: wrongOf(app.code()) });
      left.push(r._unsafeUnwrapErr().attemptsLeft!);
    }
    expect(left).toEqual([3, 2, 1]);
    expect((await v.status({ subject: SUBJECT }))._unsafeUnwrap().failedVerifications).toBe(1);
    const locking = (
      await v.verify({ subject: SUBJECT, token: wrongOf(app.code()) })
    )._unsafeUnwrapErr();
    expect(locking).toMatchObject({ code: 'invalid_token', attemptsLeft: 0, retryAfter: 600 });
    // Locked: even the right code is refused, without being evaluated.
    const locked = (await v.verify({ subject: SUBJECT, token: app.code() }))._unsafeUnwrapErr();
    expect(locked).toMatchObject({ code: 'locked', retryAfter: 600 });
    expect((await v.status({ subject: SUBJECT }))._unsafeUnwrap().lockedUntil).toBe(
      t.clock.now + 10 * MIN,
    );
    t.advance(10 * MIN);
    expect((await v.verify({ subject: SUBJECT, token: app.code() })).isOk()).toBe(true);
    const s = (await v.status({ subject: SUBJECT }))._unsafeUnwrap();
    expect(s).toMatchObject({ failedVerifications: 0, lockedUntil: null });
  });

  it('wrong recovery codes and replayed codes spend the same budget', async () => {
    const t = totpSetup({
      totp: totp({ qr: false }),
      policy: { maxChecks: 1, lockout: { threshold: 3 } },
    });
    const { app, recoveryCodes } = await enrolled(t);
    const v = t.verifier.totp;
    // The confirming code again: a replay, counted as a wrong code.
    expect((await v.verify({ subject: SUBJECT, token: app.code() }))._unsafeUnwrapErr().code).toBe(
      'invalid_token',
    );
    expect(
      (await v.recover({ subject: SUBJECT, code: 'AAAAA-AAAAA' }))._unsafeUnwrapErr().code,
    ).toBe('invalid_token');
    const third = await v.verify({ subject: SUBJECT, token: wrongOf(app.code()) });
    expect(third._unsafeUnwrapErr()).toMatchObject({ attemptsLeft: 0 });
    expect(
      (await v.recover({ subject: SUBJECT, code: recoveryCodes[0]! }))._unsafeUnwrapErr().code,
    ).toBe('locked');
  });

  it('with lockout off for SMS, authenticator guessing is still limited (default lockout)', async () => {
    const t = totpSetup({ totp: totp({ qr: false }), policy: { lockout: false } });
    const { app } = await enrolled(t);
    const codes: string[] = [];
    for (let i = 0; i < 16; i++) {
      codes.push(
        (
          await t.verifier.totp.verify({ subject: SUBJECT, token: wrongOf(app.code()) })
        )._unsafeUnwrapErr().code,
      );
    }
    expect(codes.slice(0, 15).every((c) => c === 'invalid_token')).toBe(true);
    expect(codes[15]).toBe('locked');
  });

  it('subjects have separate budgets', async () => {
    const t = totpSetup({
      totp: totp({ qr: false }),
      policy: { maxChecks: 1, lockout: { threshold: 1 } },
    });
    const a = await enrolled(t, 'alice');
    const b = await enrolled(t, 'bob');
    t.advance(30_000);
    await t.verifier.totp.verify({ subject: 'alice', token: wrongOf(a.app.code()) });
    expect(
      (await t.verifier.totp.verify({ subject: 'alice', token: a.app.code() }))._unsafeUnwrapErr()
        .code,
    ).toBe('locked');
    expect((await t.verifier.totp.verify({ subject: 'bob', token: b.app.code() })).isOk()).toBe(
      true,
    );
  });
});

describe('recovery codes', () => {
  it('each works once, in any case and spacing; only their digests are stored', async () => {
    const t = totpSetup({ totp: totp({ qr: false, recoveryCodes: 3 }) });
    const { recoveryCodes } = await enrolled(t);
    expect(recoveryCodes).toHaveLength(3);
    expect(new Set(recoveryCodes).size).toBe(3);
    for (const c of recoveryCodes) expect(c).toMatch(/^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/);
    const r = (
      await t.verifier.totp.recover({
        subject: SUBJECT,
        code: recoveryCodes[1]!.toLowerCase().replace('-', ' '),
      })
    )._unsafeUnwrap();
    expect(r).toMatchObject({ status: 'approved', method: 'recovery', recoveryCodesLeft: 2 });
    expect(typeof r.proof).toBe('string');
    expect(
      (
        await t.verifier.totp.recover({ subject: SUBJECT, code: recoveryCodes[1]! })
      )._unsafeUnwrapErr().code,
    ).toBe('invalid_token');
    expect(
      (await t.verifier.totp.recover({ subject: SUBJECT, code: recoveryCodes[0]! })).isOk(),
    ).toBe(true);
  });

  it('regenerating replaces the old set', async () => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    const { recoveryCodes } = await enrolled(t);
    const fresh = (
      await t.verifier.totp.regenerateRecoveryCodes({ subject: SUBJECT })
    )._unsafeUnwrap();
    expect(fresh).toHaveLength(10);
    expect(
      (await t.verifier.totp.recover({ subject: SUBJECT, code: recoveryCodes[0]! })).isErr(),
    ).toBe(true);
    expect((await t.verifier.totp.recover({ subject: SUBJECT, code: fresh[0]! })).isOk()).toBe(
      true,
    );
  });

  it('malformed recovery codes are invalid requests (not counted)', async () => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    await enrolled(t);
    for (const code of ['', 'AAAA', 'AAAAA-AAAA1', 42]) {
      expect(
        (
          await t.verifier.totp.recover({ subject: SUBJECT, code: code as string })
        )._unsafeUnwrapErr().code,
      ).toBe('invalid_request');
    }
    expect(
      (await t.verifier.totp.status({ subject: SUBJECT }))._unsafeUnwrap().failedVerifications,
    ).toBe(0);
  });
});

describe('second-factor challenges', () => {
  it('carry subject and purpose; complete at most once', async () => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    const { app } = await enrolled(t);
    t.advance(30_000);
    const ch = (
      await t.verifier.totp.challenge({ subject: SUBJECT, purpose: 'login' })
    )._unsafeUnwrap();
    expect(ch.id).not.toContain(SUBJECT);
    expect(ch.id).not.toContain('user-42');
    expect(ch).toMatchObject({ purpose: 'login', expiresAt: t.clock.now + 5 * MIN });
    const ok = (await t.verifier.totp.verify({ id: ch.id, token: app.code() }))._unsafeUnwrap();
    expect(ok).toMatchObject({ subject: SUBJECT, purpose: 'login', method: 'totp' });
    t.advance(30_000);
    expect(
      (await t.verifier.totp.verify({ id: ch.id, token: app.code() }))._unsafeUnwrapErr().code,
    ).toBe('not_found');
  });

  it('expire, and refuse tampering or another verifier secret', async () => {
    const t = totpSetup({ totp: totp({ qr: false, challengeTtlMs: 60_000 }) });
    const { app } = await enrolled(t);
    const ch = (await t.verifier.totp.challenge({ subject: SUBJECT }))._unsafeUnwrap();
    const flipped = ch.id.slice(0, 20) + (ch.id[20] === 'A' ? 'B' : 'A') + ch.id.slice(21);
    expect(
      (await t.verifier.totp.verify({ id: flipped, token: app.code(1) }))._unsafeUnwrapErr().code,
    ).toBe('not_found');
    const other = totpSetup({
      secret: 'another-secret-another-secret-another-1',
      totp: totp({ qr: false }),
    });
    expect(
      (await other.verifier.totp.verify({ id: ch.id, token: app.code(1) }))._unsafeUnwrapErr().code,
    ).toBe('not_found');
    t.advance(60_000);
    expect(
      (await t.verifier.totp.verify({ id: ch.id, token: app.code() }))._unsafeUnwrapErr().code,
    ).toBe('expired');
  });

  it('need an active enrollment', async () => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    expect((await t.verifier.totp.challenge({ subject: SUBJECT }))._unsafeUnwrapErr().code).toBe(
      'totp_not_enrolled',
    );
  });
});
