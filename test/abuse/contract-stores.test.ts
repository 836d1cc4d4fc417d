/**
 * The abuse exactness contract on every store in the registry (test/registry.ts). An
 * in-process store runs on a clock the contract moves; a service's store on its own clock.
 * Under CI=true a missing service fails; elsewhere its suite is skipped with a message.
 */
import { describe, it } from 'vitest';
import type { StoreHarness } from '../contract/store';
import { BACKENDS, type Backend } from '../registry';
import { abuseContract } from './contract';

/** A contract harness over one fresh store of `b`. */
async function harness(b: Backend): Promise<StoreHarness> {
  if (!b.injectedClock) {
    const u = await b.make();
    return { ...u, wait: (ms) => new Promise((r) => setTimeout(r, ms)) };
  }
  let clock = 0;
  const u = await b.make(() => clock);
  return {
    ...u,
    wait: async (ms) => {
      clock += ms;
    },
  };
}

for (const b of BACKENDS) {
  if (await b.available()) abuseContract(b.name, () => harness(b));
  else describe.skip(`Abuse budgets on ${b.name} (not reachable)`, () => it('skipped', () => {}));
}
