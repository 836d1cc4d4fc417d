/**
 * `invalidate` (the security-stamp change): pending codes canceled without counting a
 * failure, current authenticator codes and challenges revoked, outstanding proofs refused.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { invalidateTransition } from '../../src/core/invalidate';
import { defaultPolicy } from '../../src/core/policy';
import { settle } from '../../src/core/settle';
import { decodeState } from '../../src/core/state';
import type { VerifierEvent } from '../../src/index';
import { keyring } from '../../src/secrets';
import { totp } from '../../src/totp/index';
import { eventRef } from '../../src/verifier/ids';
import { app, enrolled, SUBJECT, totpSetup } from '../totp/support';
import { PHONE, proofSetup, SECRET } from './support';

const wrongOf = (code: string) => code.replace(/^./, (d) => String((Number(d) + 1) % 10));

describe('invalidateTransition (pure)', () => {
  const command = fc.oneof(
    fc.record({ kind: fc.constant('start' as const), purpose: fc.constantFrom('a', 'b', 'c') }),
    fc.record({ kind: fc.constant('wrong' as const), purpose: fc.constantFrom('a', 'b', 'c') }),
    fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.integer({ min: 0, max: 15 * 60_000 }),
    }),
  );

  test.prop([fc.array(command, { maxLength: 25 })], { numRuns: 80 })(
    'closes every pending verification and counts no failure',
    async (commands) => {
      const t = proofSetup({
        policy: { resendCooldownMs: 0, sendWindows: [{ windowMs: 60_000, max: 1000 }] },
        unsafe: { weakPolicy: true }, // windows generous enough for any command list
      });
      for (const c of commands) {
        if (c.kind === 'advance') t.advance(c.ms);
        else if (c.kind === 'start') await t.verifier.start({ phone: PHONE, purpose: c.purpose });
        else await t.verifier.check({ phone: PHONE, purpose: c.purpose, code: '000000' });
      }
      const raw = t.store.entries().find(([k]) => k.startsWith('phone:'))?.[1];
      const state = decodeState(raw);
      const now = t.clock.now;
      const settled = settle(state, now, defaultPolicy).state;
      const pending = settled.verifications.filter((v) => v.status === 'pending').map((v) => v.id);
      const step = invalidateTransition(state, now, defaultPolicy);
      expect(step.decision._unsafeUnwrap()).toEqual(pending);
      expect(step.state.verifications.some((v) => v.status === 'pending')).toBe(false);
      for (const v of step.state.verifications) {
        if (pending.includes(v.id)) expect(v).toMatchObject({ status: 'canceled', closedAt: now });
      }
      // The failure budget is exactly what time alone would have made it.
      expect(step.state.failures).toBe(settled.failures);
      expect(step.state.locks).toBe(settled.locks);
      expect(step.state.lockedUntil).toBe(settled.lockedUntil);
      const canceled = step.events.filter(
        (e) => e.type === 'verification.canceled' && e.at === now,
      );
      expect(canceled.map((e) => ('id' in e ? e.id : ''))).toEqual(pending);
      expect(step.changed).toBe(pending.length > 0 || settled !== state);
    },
  );
});

describe('invalidate({ phone })', () => {
  it('cancels pending codes without a failure, publishes canceled events, revokes proofs', async () => {
    const events: VerifierEvent[] = [];
    const t = proofSetup({
      onEvent: (e) => void events.push(e),
      policy: { lockout: { threshold: 1 } },
    });
    const approved = await t.approve(PHONE, 'signup');
    const other = await t.approve('+12133734254', 'signup');
    const s = (await t.verifier.start({ phone: PHONE, purpose: 'login' }))._unsafeUnwrap();
    const code = t.outbox.last()!.code;
    await t.verifier.check({ id: s.id, code: wrongOf(code) }); // a wrong check: a cancel would count it
    t.advance(1000);
    const r = (await t.verifier.invalidate({ phone: '+1 (213) 373-4253' }))._unsafeUnwrap();
    expect(r).toEqual({ canceled: [s.id], totp: false, revokedAt: t.clock.now });
    // Events name the verification by its ref (a keyed hash of the id, not the handle).
    expect(events.filter((e) => e.type === 'verification.canceled').map((e) => e.ref)).toEqual([
      eventRef(keyring(SECRET), s.id),
    ]);
    expect((await t.verifier.check({ id: s.id, code })).isErr()).toBe(true);
    const status = (await t.verifier.status({ id: s.id }))._unsafeUnwrap();
    expect(status).toMatchObject({ status: 'canceled', failedVerifications: 0, lockedUntil: null });
    expect(
      (await t.verifier.verifyProof(approved.proof!, { purpose: 'signup' }))._unsafeUnwrapErr()
        .code,
    ).toBe('proof_revoked');
    // Another number's proof is untouched; a later verification yields a valid proof.
    expect((await t.verifier.verifyProof(other.proof!, { purpose: 'signup' })).isOk()).toBe(true);
    t.advance(1000);
    const fresh = await t.approve(PHONE, 'signup');
    expect((await t.verifier.verifyProof(fresh.proof!, { purpose: 'signup' })).isOk()).toBe(true);
  });

  it('an approval at the same instant as the invalidation is revoked too', async () => {
    const t = proofSetup();
    const c = await t.approve();
    await t.verifier.invalidate({ phone: PHONE });
    expect(
      (await t.verifier.verifyProof(c.proof!, { purpose: 'signup' }))._unsafeUnwrapErr().code,
    ).toBe('proof_revoked');
  });

  it('needs a phone or a subject', async () => {
    const t = proofSetup();
    expect((await t.verifier.invalidate({}))._unsafeUnwrapErr().code).toBe('invalid_request');
    expect((await t.verifier.invalidate({ phone: 'nope' }))._unsafeUnwrapErr().code).toBe(
      'invalid_phone',
    );
    expect((await t.verifier.invalidate({ subject: '' }))._unsafeUnwrapErr().code).toBe(
      'invalid_request',
    );
  });
});

describe('invalidate({ subject })', () => {
  it("revokes the current window's codes, challenges and proofs; the next step's code works", async () => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    const { app: a } = await enrolled(t);
    t.advance(30_000);
    const ch = (
      await t.verifier.totp.challenge({ subject: SUBJECT, purpose: 'login' })
    )._unsafeUnwrap();
    const before = (
      await t.verifier.totp.recover({
        subject: SUBJECT,
        code: (
          await t.verifier.totp.regenerateRecoveryCodes({ subject: SUBJECT })
        )._unsafeUnwrap()[0]!,
      })
    )._unsafeUnwrap();
    t.advance(1000);
    const r = (await t.verifier.totp.status({ subject: SUBJECT }))._unsafeUnwrap();
    expect(r.status).toBe('active');
    expect((await t.verifier.invalidate({ subject: SUBJECT }))._unsafeUnwrap()).toMatchObject({
      canceled: [],
      totp: true,
    });
    // An unused code of the current step (observed before the reset) no longer works.
    expect(
      (await t.verifier.totp.verify({ subject: SUBJECT, token: a.code() }))._unsafeUnwrapErr().code,
    ).toBe('invalid_token');
    expect(
      (await t.verifier.totp.verify({ id: ch.id, token: a.code(1) }))._unsafeUnwrapErr().code,
    ).toBe('not_found');
    expect(
      (await t.verifier.verifyProof(before.proof!, { purpose: 'verify' }))._unsafeUnwrapErr().code,
    ).toBe('proof_revoked');
    t.advance(30_000);
    const after = (
      await t.verifier.totp.verify({ subject: SUBJECT, token: a.code() })
    )._unsafeUnwrap();
    expect(
      (await t.verifier.verifyProof(after.proof!, { purpose: 'verify', subject: SUBJECT })).isOk(),
    ).toBe(true);
  });

  it('drops a pending enrollment and counts no failure', async () => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    const e = (await t.verifier.totp.enroll({ subject: SUBJECT }))._unsafeUnwrap();
    expect((await t.verifier.invalidate({ subject: SUBJECT }))._unsafeUnwrap().totp).toBe(true);
    const a = app(e.secret, t.clock);
    expect(
      (await t.verifier.totp.confirm({ subject: SUBJECT, token: a.code() }))._unsafeUnwrapErr()
        .code,
    ).toBe('totp_not_enrolled');
    expect((await t.verifier.totp.status({ subject: SUBJECT }))._unsafeUnwrap()).toMatchObject({
      status: 'none',
      failedVerifications: 0,
    });
  });
});
