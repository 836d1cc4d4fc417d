/**
 * `phoneproof/totp`: authenticator apps (TOTP) as a second factor, a separate import so that
 * applications without them do not ship them. `totp(options)` validates the options at once
 * (throws on misconfiguration) and returns what `createVerifier` takes as `totp`:
 *
 * @example
 * ```ts
 * import { createVerifier } from 'phoneproof';
 * import { totp } from 'phoneproof/totp';
 * const verifier = createVerifier({ secret, store, sender, totp: totp({ issuer: 'Acme' }) });
 * await verifier.totp.enroll({ subject: user.id });
 * ```
 * See docs/totp.md.
 * @module
 */
import type { TotpFeature } from '../feature/optional';
import { totpFeature } from './feature';
import { resolveTotpConfig } from './options';
import type { TotpOptions } from './types';

export type { TotpFeature } from '../feature/optional';
export type { QrOption, TotpOptions } from './types';

/**
 * The authenticator feature for `createVerifier({ totp })`. Throws on misconfiguration; the
 * issuer, when not given, is the verifier's `appName` (checked when the verifier is built).
 */
export function totp(options: TotpOptions = {}): TotpFeature {
  resolveTotpConfig(options, 'phoneproof');
  const o: TotpOptions = { ...options };
  return { feature: 'totp', build: (io, proofs) => totpFeature(o, io, proofs) };
}
