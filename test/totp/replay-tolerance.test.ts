/**
 * Properties of authenticator verification: a time step once accepted is never accepted
 * again (across verifier instances sharing a store), and only steps inside the configured
 * tolerance window are accepted. Model-based, through the public API with real codes.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { defaultPolicy } from '../../src/core/policy';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { guardPolicy } from '../../src/totp/guard';
import { totp } from '../../src/totp/index';
import { emptyTotpState, stepAt, type TotpEnrollment } from '../../src/totp/state';
import { codeTransition } from '../../src/totp/transitions';
import { app, SECRET, T0 } from './support';

const command = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 95_000 }) }),
  fc.record({
    kind: fc.constant('submit' as const),
    offset: fc.integer({ min: -4, max: 3 }),
    instance: fc.integer({ min: 0, max: 1 }),
  }),
);

describe('authenticator codes (model-based, through the verifier)', () => {
  test.prop(
    [
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 2 }),
      fc.array(command, { maxLength: 40 }),
    ],
    { numRuns: 60 },
  )(
    'replay is never accepted and the tolerance window is respected',
    async (past, future, commands) => {
      const clock = { now: T0 };
      const now = () => clock.now;
      const store = memoryStore({ now });
      const options = {
        secret: SECRET,
        store,
        sender: outboxSender(),
        now,
        totp: totp({ digits: 8, qr: false, tolerance: { past, future } }),
        policy: { lockout: { threshold: 1000 }, maxChecks: 100 },
        // Many wrong TOTP codes per subject: 100 checks are below the policy floor.
        unsafe: { weakPolicy: true },
      };
      // Two instances over one store: the replay guard lives in the store, not in memory.
      const instances = [createVerifier(options), createVerifier(options)];
      const subject = 'model-subject';
      const e = (await instances[0]!.totp.enroll({ subject }))._unsafeUnwrap();
      const a = app(e.secret, clock, { algorithm: 'sha1', digits: 8, period: 30 });
      (await instances[1]!.totp.confirm({ subject, token: a.code() }))._unsafeUnwrap();
      let last = a.step();
      const accepted = new Set<number>([last]);
      for (const c of commands) {
        if (c.kind === 'advance') {
          clock.now += c.ms;
          continue;
        }
        const current = a.step();
        const step = current + c.offset;
        const r = await instances[c.instance]!.totp.verify({ subject, token: a.codeAtStep(step) });
        const expected = step >= current - past && step <= current + future && step > last;
        expect(r.isOk()).toBe(expected);
        if (r.isOk()) {
          expect(accepted.has(step)).toBe(false);
          accepted.add(step);
          last = step;
        } else {
          expect(r.error.code).toBe('invalid_token');
        }
      }
    },
  );
});

describe('codeTransition (pure)', () => {
  const enrollment: TotpEnrollment = {
    status: 'active',
    sealed: 'x',
    algorithm: 'sha1',
    digits: 6,
    period: 30,
    createdAt: 0,
    confirmedAt: 1,
    expiresAt: 0,
    lastStep: -1,
    recovery: [],
  };
  const policy = guardPolicy(defaultPolicy);

  test.prop([
    fc.integer({ min: 1_000_000, max: 2_000_000 }),
    fc.integer({ min: 0, max: 10 }),
    fc.integer({ min: 0, max: 10 }),
    fc.uniqueArray(fc.integer({ min: -12, max: 12 }), { maxLength: 6 }),
    fc.integer({ min: -12, max: 12 }),
  ])(
    'accepts exactly the newest matching step inside the window above the last one',
    (step, past, future, matching, lastOffset) => {
      const now = step * 30_000 + 1234;
      const lastStep = step + lastOffset;
      const state = { ...emptyTotpState, enrollment: { ...enrollment, lastStep } };
      const steps = new Set(matching.map((m) => step + m));
      const seen: number[] = [];
      const r = codeTransition(
        state,
        {
          mode: 'verify',
          tolerance: { past, future },
          matches: (_e, t) => {
            seen.push(t);
            return steps.has(t);
          },
        },
        now,
        policy,
      );
      expect(stepAt(now, 30)).toBe(step);
      // Every candidate of the window is evaluated (no early exit that would leak timing).
      expect(seen).toEqual(Array.from({ length: past + future + 1 }, (_, i) => step - past + i));
      const eligible = [...steps].filter(
        (t) => t >= step - past && t <= step + future && t > lastStep,
      );
      if (eligible.length === 0) {
        expect(r.decision._unsafeUnwrapErr().code).toBe('invalid_token');
        expect(r.state.enrollment?.lastStep).toBe(lastStep);
        expect(r.state.checks).toBe(1);
      } else {
        const best = Math.max(...eligible);
        expect(r.decision._unsafeUnwrap().step).toBe(best);
        expect(r.state.enrollment?.lastStep).toBe(best);
      }
    },
  );
});
