/**
 * A fuzz target: a verifier with consent (so every route exists) behind one adapter on a
 * listening server, seeded with verifications to aim at, and the end-of-run consistency
 * check over the store.
 */
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { decodeState } from '../../src/core/state';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import type { Verifier } from '../../src/verifier/types';
import type { Mount, Running } from '../http/servers';

export const SEEDED = ['+12133734253', '+14155552671', '+447400123456'] as const;

export interface Target {
  readonly running: Running;
  readonly ids: string[];
  readonly codes: Map<string, string>;
  readonly verifier: Verifier;
  /** Throws when a stored record does not decode or a seeded verification is unreadable. */
  checkState(): Promise<{ records: number }>;
}

export async function fuzzTarget(mount: Mount): Promise<Target> {
  const store = memoryStore();
  const outbox = outboxSender();
  const verifier = createVerifier({
    secret: 'fuzz-secret-fuzz-secret-fuzz-secret!!',
    store,
    sender: outbox,
    consent: consent({ ledger: memoryConsentLedger() }),
    // Generous windows so the fuzzer keeps reaching the code paths behind them.
    policy: { sendWindows: [{ windowMs: 3_600_000, max: 1_000_000 }] },
    unsafe: { weakPolicy: true }, // those windows are below the policy floor
  } as never);
  const ids: string[] = [];
  const codes = new Map<string, string>();
  for (const phone of SEEDED) {
    const started = await verifier.start({ phone });
    if (started.isErr()) throw new Error(`seed failed: ${started.error.code}`);
    ids.push(started.value.id);
    codes.set(started.value.id, outbox.last()!.code);
  }
  const running = await mount(verifier, {
    authorize: (req: { headers: Record<string, unknown> }) => req.headers['x-device-id'] !== 'deny',
  });
  return {
    running,
    ids,
    codes,
    verifier,
    async checkState() {
      const entries = store.entries();
      for (const [key, raw] of entries) {
        if (key.startsWith('phone:')) decodeState(raw);
      }
      for (const id of ids) {
        const status = await verifier.status({ id });
        if (status.isErr() && !['not_found', 'expired'].includes(status.error.code)) {
          throw new Error(`seeded verification unreadable: ${status.error.code}`);
        }
        if (status.isOk() && (status.value.attemptsLeft < 0 || status.value.sendsLeft < 0)) {
          throw new Error('negative counters');
        }
      }
      return { records: entries.length };
    },
  };
}
