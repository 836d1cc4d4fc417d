/**
 * `phoneproof/consent`: the consent ledger feature, a separate import so that applications
 * without it do not ship it. `consent(options)` validates the options at once (throws on
 * misconfiguration) and returns what `createVerifier` takes as `consent`:
 *
 * @example
 * ```ts
 * import { createVerifier } from 'phoneproof';
 * import { consent } from 'phoneproof/consent';
 * import { memoryConsentLedger } from 'phoneproof/memory';
 * const verifier = createVerifier({ secret, store, sender,
 *   consent: consent({ ledger: memoryConsentLedger(), required: { version: '1', text } }) });
 * ```
 * The ledgers live with their stores (`phoneproof/memory`, `/sqlite`, `/postgres`, `/redis`);
 * see docs/consent.md.
 * @module
 */
import type { ConsentFeature } from '../feature/optional';
import { consentConfig, consentFeature } from './feature';
import type { ConsentOptions } from './types';

export type { ConsentFeature } from '../feature/optional';
export type { ConsentOptions } from './types';

/** The consent feature for `createVerifier({ consent })`. Throws on misconfiguration. */
export function consent(options: ConsentOptions): ConsentFeature {
  const config = consentConfig(options);
  return {
    feature: 'consent',
    build: (io, defaultCountry) => consentFeature(config, defaultCountry, io),
  };
}
