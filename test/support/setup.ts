/** A verifier over the memory store and an outbox, with a fake clock. */
import { memoryStore } from '../../adapters/memory/index';
import { createVerifier, type VerifierEvent, type VerifierOptions } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';

export const SECRET = 'unit-test-secret-unit-test-secret-0123';
export const PHONE = '+12133734253';

export function setup(extra: Partial<VerifierOptions> = {}) {
  const clock = { now: 1_700_000_000_000 };
  const now = () => clock.now;
  const store = memoryStore({ now });
  // Tests here also run the verifier under NODE_ENV=production (test numbers' guard).
  const outbox = outboxSender({ allowInProduction: true });
  const events: VerifierEvent[] = [];
  const verifier = createVerifier({
    secret: SECRET,
    store,
    sender: outbox,
    now,
    onEvent: (e) => {
      events.push(e);
    },
    ...extra,
  });
  return {
    clock,
    store,
    outbox,
    events,
    verifier,
    advance: (ms: number) => {
      clock.now += ms;
    },
    code: () => outbox.last()!.code,
  };
}

export const wrong = (code: string) =>
  (code[0] === '9' ? '0' : String(Number(code[0]) + 1)) + code.slice(1);
