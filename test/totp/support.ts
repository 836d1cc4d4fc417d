/** Helpers for authenticator tests: a verifier on a fake clock and codes computed for it. */
import { memoryStore } from '../../adapters/memory/index';
import { createVerifier, type VerifierOptions } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { totp } from '../../src/totp/index';
import { fromBase32, totpAtStep } from '../../src/totp/otp';
import { stepAt } from '../../src/totp/state';

export const SECRET = 'totp-test-secret-totp-test-secret-0123';
export const SUBJECT = 'user-42@example.com';
export const T0 = 1_700_000_010_000; // 10 s into a 30 s step

/** A verifier with authenticator apps (`totp()` unless `extra` names its own). */
export function totpSetup(extra: Partial<VerifierOptions> = {}, start = T0) {
  const clock = { now: start };
  const now = () => clock.now;
  const store = memoryStore({ now });
  const outbox = outboxSender();
  const verifier = createVerifier({
    secret: SECRET,
    store,
    sender: outbox,
    now,
    totp: totp(),
    ...extra,
  });
  return {
    clock,
    store,
    outbox,
    verifier,
    advance: (ms: number) => {
      clock.now += ms;
    },
  };
}

/** An authenticator app: the code for the current step (plus `offset` steps) of a base32 secret. */
export function app(
  secret: string,
  clock: { now: number },
  p = { algorithm: 'sha1' as const, digits: 6, period: 30 },
) {
  const bytes = fromBase32(secret)!;
  return {
    code: (offset = 0) => totpAtStep(bytes, stepAt(clock.now, p.period) + offset, p),
    codeAtStep: (step: number) => totpAtStep(bytes, step, p),
    step: () => stepAt(clock.now, p.period),
  };
}

/** Enrolls and confirms `subject`; returns the app and the recovery codes. */
export async function enrolled(t: ReturnType<typeof totpSetup>, subject = SUBJECT) {
  const e = (await t.verifier.totp.enroll({ subject }))._unsafeUnwrap();
  const a = app(e.secret, t.clock);
  const c = (await t.verifier.totp.confirm({ subject, token: a.code() }))._unsafeUnwrap();
  return { app: a, enrollment: e, recoveryCodes: c.recoveryCodes };
}
