/** Helpers for proof tests: a verifier on a fake clock, and an approved phone verification. */
import { memoryStore } from '../../adapters/memory/index';
import { createVerifier, type Store, type VerifierOptions } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';

export const SECRET = 'proof-test-secret-proof-test-secret-0123';
export const PHONE = '+12133734253';
export const T0 = 1_700_000_000_000;

export function proofSetup(extra: Partial<VerifierOptions> = {}, store?: Store) {
  const clock = { now: T0 };
  const now = () => clock.now;
  const mem = memoryStore({ now });
  const outbox = outboxSender();
  const options = { secret: SECRET, store: store ?? mem, sender: outbox, now, ...extra };
  const verifier = createVerifier(options);
  /** Starts and approves a verification; resolves with the check result. */
  const approve = async (phone = PHONE, purpose = 'signup') => {
    const s = (await verifier.start({ phone, purpose }))._unsafeUnwrap();
    return (await verifier.check({ id: s.id, code: outbox.last()!.code }))._unsafeUnwrap();
  };
  return {
    clock,
    store: mem,
    outbox,
    verifier,
    options,
    approve,
    advance: (ms: number) => {
      clock.now += ms;
    },
  };
}
