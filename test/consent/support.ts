/** A verifier with consent over the memory store, memory ledger and an outbox, fake clock. */
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import type { ConsentOptions } from '../../src/consent/types';
import { createVerifier, type VerifierEvent, type VerifierOptions } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';

export const SECRET = 'consent-test-secret-consent-test-secret-0123';
export const PHONE = '+12133734253';
export const OTHER = '+33612345678';
export const TEXT_V1 = 'Yes, text me one-time codes at this number. Msg & data rates may apply.';
export const TEXT_V2 =
  'Yes, text me one-time codes and security alerts. Msg & data rates may apply.';
export const T0 = 1_700_000_000_000;

export function setup(
  options: Partial<ConsentOptions> | false = {},
  extra: Partial<VerifierOptions> = {},
) {
  const clock = { now: T0 };
  const now = () => clock.now;
  const store = memoryStore({ now });
  const ledger = memoryConsentLedger();
  const outbox = outboxSender();
  const events: VerifierEvent[] = [];
  const verifier = createVerifier({
    secret: SECRET,
    store,
    sender: outbox,
    now,
    appName: 'Acme',
    onEvent: (e) => {
      events.push(e);
    },
    ...(options === false ? {} : { consent: consent({ ledger, ...options }) }),
    ...extra,
  });
  return {
    clock,
    store,
    ledger,
    outbox,
    events,
    verifier,
    advance: (ms: number) => {
      clock.now += ms;
    },
    consentEvents: () => events.filter((e) => e.type.startsWith('consent.')),
  };
}
