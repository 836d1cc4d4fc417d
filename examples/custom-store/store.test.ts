/**
 * The store proves itself with phoneproof's shipped suites, imported as any package would.
 * Run by the repository's `npm test`; in a package of its own, `npx vitest run`.
 */

import type { Store } from 'phoneproof';
import { StoreConflictError } from 'phoneproof/ports';
import { storeContract, testClock, verifierContract } from 'phoneproof/testing';
import * as vitest from 'vitest';
import { mapBackend } from './backend';
import { versionedStore } from './store';

const clock = testClock();
const { describe, it, expect } = vitest;

storeContract(vitest, 'versioned map', async () => {
  const store = versionedStore({ now: clock.now });
  return {
    store,
    wait: async (ms) => {
      clock.advance(ms);
    },
    reset: async () => store.clear(),
    close: async () => {},
  };
});

/** Two instances over one backend, taking calls in turn: their writes conflict for real. */
function twoInstances(): Store & { clear(): void } {
  const backend = mapBackend();
  const instances = [1, 2].map(() => versionedStore({ backend, now: clock.now }));
  let turn = 0;
  const next = () => instances[turn++ % 2]!;
  return {
    update: (key, fn) => next().update(key, fn),
    updateMany: (keys, fn) => next().updateMany(keys, fn),
    get: (key) => next().get(key),
    clear: () => backend.clear(),
  };
}

storeContract(vitest, 'versioned map, two instances sharing a backend', async () => {
  const store = twoInstances();
  return {
    store,
    wait: async (ms) => {
      clock.advance(ms);
    },
    reset: async () => store.clear(),
    close: async () => {},
  };
});

verifierContract(vitest, 'versioned map', () => versionedStore());
verifierContract(vitest, 'versioned map, two instances', () => twoInstances(), 200);

describe('versionedStore conflicts', () => {
  it('gives up with StoreConflictError when every conditional write conflicts', async () => {
    const backend = mapBackend();
    const store = versionedStore({
      backend: { ...backend, writeAllIf: async () => false },
      maxAttempts: 3,
    });
    await expect(
      store.update('k', () => ({ result: 0, write: { value: 'x', ttlMs: 1_000 } })),
    ).rejects.toBeInstanceOf(StoreConflictError);
    expect(await store.get('k')).toBeUndefined();
  });
});
