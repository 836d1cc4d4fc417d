/**
 * The opt-in features as `createVerifier` sees them: what `consent(...)` (`phoneproof/consent`)
 * and `totp(...)` (`phoneproof/totp`) return, a builder whose options were validated when it
 * was made, and what the verifier answers when one is absent. `createVerifier` imports this
 * module, never the features' code, so an application that configures neither ships neither.
 *
 * Absent, `verifier.consent` and `verifier.totp` keep their shape and answer every call with
 * `invalid_request` ("... is not configured"); a `start` given a `consent` is refused alike;
 * `invalidate` for a subject has no authenticator codes to revoke (`totp: false`).
 * @module
 */
import { err, errAsync, ok, okAsync } from 'neverthrow';
import type { ConsentApi } from '../consent/types';
import { type VerifyError, verifyError } from '../errors';
import type { TotpApi } from '../totp/types';
import type { Feature, FeatureIO } from './feature';
import type { Proofs, SubjectRevocation } from './proofs';

/** What `consent(options)` from `phoneproof/consent` returns: pass it as `consent`. */
export interface ConsentFeature {
  readonly feature: 'consent';
  /** Builds the feature for one verifier (called by `createVerifier`). @internal */
  readonly build: (io: FeatureIO, defaultCountry: string | undefined) => Feature<ConsentApi>;
}

/** The authenticator feature as built: the public API plus the subject's part of `invalidate`. */
export interface Totp extends SubjectRevocation {
  readonly api: TotpApi;
}

/** What `totp(options)` from `phoneproof/totp` returns: pass it as `totp`. */
export interface TotpFeature {
  readonly feature: 'totp';
  /** Builds the feature for one verifier (called by `createVerifier`). @internal */
  readonly build: (io: FeatureIO, proofs: Proofs) => Feature<Totp>;
}

const MIGRATION = {
  consent:
    "`consent: consent({ ledger, ... })`, with `import { consent } from 'phoneproof/consent'`",
  totp: "`totp: totp({ issuer, ... })`, with `import { totp } from 'phoneproof/totp'`",
} as const;

/**
 * The feature given for `name`, or undefined when absent. Anything else (the plain options
 * object of phoneproof 0.1, `consent: { ledger }`) throws, naming what to write instead.
 */
export function optionalFeature<N extends 'consent' | 'totp'>(
  name: N,
  value: unknown,
): (N extends 'consent' ? ConsentFeature : TotpFeature) | undefined {
  if (value === undefined) return undefined;
  const v = value as { feature?: unknown; build?: unknown } | null;
  if (typeof v === 'object' && v !== null && v.feature === name && typeof v.build === 'function') {
    return value as N extends 'consent' ? ConsentFeature : TotpFeature;
  }
  throw new TypeError(
    `phoneproof: \`${name}\` takes the value of ${name}(options) from 'phoneproof/${name}', not an options object: write ${MIGRATION[name]}.`,
  );
}

/** `invalid_request` for a call to a feature that is not configured. */
export function notConfigured(name: 'consent' | 'totp'): VerifyError {
  return verifyError('invalid_request', {
    message:
      name === 'consent'
        ? "Consent is not configured: pass `consent: consent({ ledger })` (from 'phoneproof/consent') to createVerifier."
        : "Authenticator apps are not configured: pass `totp: totp()` (from 'phoneproof/totp') to createVerifier.",
  });
}

/** `verifier.consent` without a ledger: a `consent` given with `start` is refused. */
export function absentConsent(): Feature<ConsentApi> {
  const no = () => errAsync(notConfigured('consent'));
  return {
    name: 'consent',
    hooks: {
      beforeSend: (ctx) =>
        ctx.input.consent === undefined ? ok(undefined) : err(notConfigured('consent')),
    },
    api: {
      enabled: false,
      record: no,
      optOut: no,
      status: no,
      history: no,
      inbound: no,
      erase: no,
    },
  };
}

/** `verifier.totp` without `totp`: no authenticator code is accepted, so `invalidate` revokes none. */
export function absentTotp(): Totp {
  const no = () => errAsync(notConfigured('totp'));
  return {
    api: {
      enroll: no,
      confirm: no,
      verify: no,
      recover: no,
      challenge: no,
      regenerateRecoveryCodes: no,
      disable: no,
      status: no,
    },
    invalidate: () => okAsync(false),
  };
}
