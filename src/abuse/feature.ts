/**
 * Abuse defenses in the verifier, a feature (`abuseFeature`): requester budgets, destination
 * limits, the conversion guard and idempotency keys, through the hooks of `./hooks`. (Test
 * numbers are their own feature, `./test-numbers`.) @internal
 * @module
 */

import { toBase64Url } from '../crypto';
import { storeError } from '../feature/errors';
import type { Feature, FeatureIO } from '../feature/feature';
import type { AbuseInfo } from '../feature/operation-types';
import { subkey } from '../secrets';
import { abuseHooks } from './hooks';
import type { IdempotencyDeps } from './idempotency';
import { resolveAbuse } from './options';
import { createShield } from './shield';
import type { AbuseOptions } from './types';

/**
 * The abuse defenses feature: validates `abuse` (throws on misconfiguration); its hooks are
 * in `./hooks`; its API says what is enforced (`verifier.abuse`).
 */
export function abuseFeature(
  options: AbuseOptions | false | undefined,
  io: FeatureIO,
): Feature<AbuseInfo> {
  const resolved = resolveAbuse(options);
  const key = subkey(io.ring.lookup, 'abuse');
  const shield = createShield(resolved, { store: io.store, key, publish: io.publish, storeError });
  if (shield.active) io.keepParsedPhones();
  const idem: IdempotencyDeps = {
    store: io.store,
    key,
    storeError,
    now: io.now,
    nonce: () => toBase64Url(io.random(12)),
    ring: io.ring,
    iv: () => io.random(12),
  };
  return {
    name: 'abuse',
    hooks: abuseHooks(shield, idem, io),
    api: Object.freeze({ requesterBudgets: Object.freeze([...resolved.requesters.keys()]) }),
  };
}
