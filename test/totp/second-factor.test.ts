/**
 * The second-factor login flow of docs/second-factor.md, as an application would write it:
 * step 1 (password accepted) returns a second-factor token; step 2 takes the token and the
 * code (SMS, voice, authenticator or recovery code) and yields a proof; the session service
 * accepts the proof once, bound to the user.
 */
import { describe, expect, it } from 'vitest';
import type { Verifier } from '../../src/index';
import { totp } from '../../src/totp/index';
import { enrolled, totpSetup } from './support';

interface User {
  id: string;
  phone: string;
  totp: boolean;
}

/** The application's login endpoints, written against the library only. */
function loginApp(verifier: Verifier, users: Map<string, User>) {
  return {
    /** Step 1: after the password check. */
    async step1(userId: string, method: 'sms' | 'voice' | 'totp') {
      const user = users.get(userId)!;
      if (method === 'totp') {
        const ch = await verifier.totp.challenge({ subject: user.id, purpose: 'login' });
        return ch.map((c) => ({ secondFactorToken: c.id, method }));
      }
      const s = await verifier.start({ phone: user.phone, purpose: 'login', channel: method });
      return s.map((v) => ({ secondFactorToken: v.id, method, to: v.to }));
    },
    /** Step 2: the code the user typed. */
    async step2(
      secondFactorToken: string,
      code: string,
      method: 'sms' | 'voice' | 'totp' | 'recovery',
    ) {
      if (method === 'totp')
        return (await verifier.totp.verify({ id: secondFactorToken, token: code })).map(
          (r) => r.proof!,
        );
      if (method === 'recovery')
        return (await verifier.totp.recover({ id: secondFactorToken, code })).map((r) => r.proof!);
      return (await verifier.check({ id: secondFactorToken, code })).map((r) => r.proof!);
    },
    /** Another service: opens a session for `userId` if the proof is for that user. */
    async session(userId: string, proof: string) {
      const user = users.get(userId)!;
      const binding = user.totp ? { subject: user.id } : { phone: user.phone };
      const r = await verifier.verifyProof(proof, {
        purpose: 'login',
        singleUse: true,
        ...binding,
      });
      return r.map((p) => ({ userId, method: p.method }));
    },
  };
}

function world() {
  const t = totpSetup({ totp: totp({ qr: false }) });
  const users = new Map<string, User>([
    ['ana', { id: 'ana', phone: '+12133734253', totp: false }],
    ['bo', { id: 'bo', phone: '+12133734254', totp: true }],
  ]);
  return { t, users, app: loginApp(t.verifier, users) };
}

describe('second-factor login', () => {
  it.each(['sms', 'voice'] as const)(
    'by %s code: token from step 1, code in step 2, proof opens one session',
    async (channel) => {
      const { t, app } = world();
      const s1 = (await app.step1('ana', channel))._unsafeUnwrap();
      expect('to' in s1 && s1.to).toBe('+1 ••• ••• ••53');
      expect(t.outbox.last()!.channel).toBe(channel);
      const wrong = await app.step2(s1.secondFactorToken, '000000', channel);
      if (t.outbox.last()!.code !== '000000')
        expect(wrong._unsafeUnwrapErr().code).toBe('code_mismatch');
      const proof = (
        await app.step2(s1.secondFactorToken, t.outbox.last()!.code, channel)
      )._unsafeUnwrap();
      expect((await app.session('ana', proof))._unsafeUnwrap()).toEqual({
        userId: 'ana',
        method: 'phone',
      });
      expect((await app.session('ana', proof))._unsafeUnwrapErr().code).toBe('proof_used');
    },
  );

  it('by authenticator code, via the second-factor challenge', async () => {
    const { t, app } = world();
    const { app: phoneApp } = await enrolled(t, 'bo');
    t.advance(30_000);
    const s1 = (await app.step1('bo', 'totp'))._unsafeUnwrap();
    expect((await app.step2(s1.secondFactorToken, '00000000', 'totp')).isErr()).toBe(true);
    const proof = (await app.step2(s1.secondFactorToken, phoneApp.code(), 'totp'))._unsafeUnwrap();
    // A proof for bo never opens a session for ana.
    expect((await app.session('ana', proof))._unsafeUnwrapErr().code).toBe('proof_invalid');
    expect((await app.session('bo', proof))._unsafeUnwrap()).toEqual({
      userId: 'bo',
      method: 'totp',
    });
    // The second-factor token completes once.
    t.advance(30_000);
    expect(
      (await app.step2(s1.secondFactorToken, phoneApp.code(), 'totp'))._unsafeUnwrapErr().code,
    ).toBe('not_found');
  });

  it('by recovery code when the authenticator is lost', async () => {
    const { t, app } = world();
    const { recoveryCodes } = await enrolled(t, 'bo');
    t.advance(1000);
    const s1 = (await app.step1('bo', 'totp'))._unsafeUnwrap();
    const proof = (
      await app.step2(s1.secondFactorToken, recoveryCodes[0]!, 'recovery')
    )._unsafeUnwrap();
    expect((await app.session('bo', proof))._unsafeUnwrap()).toEqual({
      userId: 'bo',
      method: 'recovery',
    });
  });

  it('a user without an authenticator cannot get a TOTP challenge', async () => {
    const { app } = world();
    expect((await app.step1('ana', 'totp'))._unsafeUnwrapErr().code).toBe('totp_not_enrolled');
  });

  it('an SMS proof for ana does not open a session for bo', async () => {
    const { t, app, users } = world();
    users.set('bo', { ...users.get('bo')!, totp: false });
    const s1 = (await app.step1('ana', 'sms'))._unsafeUnwrap();
    const proof = (
      await app.step2(s1.secondFactorToken, t.outbox.last()!.code, 'sms')
    )._unsafeUnwrap();
    expect((await app.session('bo', proof))._unsafeUnwrapErr().code).toBe('proof_invalid');
  });
});
