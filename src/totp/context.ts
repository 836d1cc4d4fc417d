/**
 * What the authenticator operations share: configuration, the subject's store key, atomic
 * transactions over TOTP records, and the code matcher that decrypts the secret inside the
 * transition. @internal
 * @module
 */
import { err, ok, ResultAsync } from 'neverthrow';
import { CorruptRecordError } from '../core/state';
import type { VerifyError } from '../errors';
import { storeError } from '../feature/errors';
import type { FeatureIO as Shell } from '../feature/feature';
import type { Proofs } from '../feature/proofs';
import { subjectKey } from '../feature/subject';
import { digestEquals, type Keyring, seal, unseal } from '../secrets';
import { type GuardPolicy, guardPolicy } from './guard';
import type { TotpConfig } from './options';
import { resolveTotpConfig } from './options';
import { fromBase32, totpAtStep } from './otp';
import { decodeTotpState, encodeTotpState, type TotpState } from './state';
import { type StepMatcher, type TotpStep, totpTtl } from './transitions';
import type { TotpOptions } from './types';

/** An active enrollment's record is kept this long after its last write (about 10 years). */
export const ACTIVE_TTL_MS = 3653 * 86_400_000;

export interface TotpContext {
  readonly sh: Shell;
  readonly config: TotpConfig;
  readonly policy: GuardPolicy;
  readonly proofs: Proofs;
  /** The subject's store-key fragment (an HMAC, never the subject). */
  hashOf(subject: string): string;
  /** Runs a pure transition on the subject's record through the store's atomic update. */
  transact<T>(
    hashed: string,
    at: number,
    f: (s: TotpState) => TotpStep<T>,
  ): ResultAsync<TotpStep<T>, VerifyError>;
  read(hashed: string): ResultAsync<TotpState, VerifyError>;
}

export function totpContext(
  sh: Shell,
  options: TotpOptions | undefined,
  proofs: Proofs,
): TotpContext {
  const config = resolveTotpConfig(options, sh.appName);
  const policy = guardPolicy(sh.policy);
  const keep = { activeMs: ACTIVE_TTL_MS, challengeMs: config.challengeTtlMs };
  const keyOf = (hashed: string) => `totp:${hashed}`;
  return {
    sh,
    config,
    policy,
    proofs,
    hashOf: (subject) => subjectKey(sh.ring, subject),
    transact: (hashed, at, f) =>
      ResultAsync.fromThrowable(
        () =>
          sh.store.update(keyOf(hashed), (raw) => {
            const step = f(decodeTotpState(raw));
            if (!step.changed) return { result: step };
            const ttlMs = totpTtl(step.state, at, policy, keep);
            return {
              result: step,
              write: ttlMs > 0 ? { value: encodeTotpState(step.state), ttlMs } : { delete: true },
            };
          }),
        storeError,
      )(),
    read: (hashed) =>
      ResultAsync.fromThrowable(() => sh.store.get(keyOf(hashed)), storeError)().andThen((raw) => {
        try {
          return ok(decodeTotpState(raw));
        } catch (e) {
          return err(storeError(e));
        }
      }),
  };
}

/** Decrypts a sealed secret; a secret no configured key opens is a corrupt record. */
export function openSecret(ring: Keyring, sealed: string): { base32: string; bytes: Uint8Array } {
  const base32 = unseal(ring, 'totp-secret', sealed, { legacy: true });
  const bytes = base32 === undefined ? undefined : fromBase32(base32);
  if (base32 === undefined || !bytes) {
    throw new CorruptRecordError(
      'the authenticator secret cannot be decrypted with the configured secrets',
    );
  }
  return { base32, bytes };
}

/** Matches `token` against the enrollment's code for a step (secret decrypted once per call). */
export function tokenMatcher(ring: Keyring, token: string): StepMatcher {
  let cache: { sealed: string; bytes: Uint8Array } | undefined;
  return (e, step) => {
    if (cache?.sealed !== e.sealed)
      cache = { sealed: e.sealed, bytes: openSecret(ring, e.sealed).bytes };
    return digestEquals(totpAtStep(cache.bytes, step, e), token);
  };
}

/**
 * Rotation and upgrade: after a success, a secret sealed under an older key of the ring, or
 * in the 0.1.0 format (one key for every kind), is sealed again under the current secret's
 * `totp-secret` key (`iv` drawn before the transaction keeps the transition repeatable).
 */
export function resealed(ring: Keyring, state: TotpState, iv: Uint8Array): TotpState {
  const e = state.enrollment;
  if (!e) return state;
  if (unseal(ring, 'totp-secret', e.sealed, { currentOnly: true }) !== undefined) return state;
  const { base32 } = openSecret(ring, e.sealed);
  return { ...state, enrollment: { ...e, sealed: seal(ring, 'totp-secret', base32, iv) } };
}

/** Normalizes a typed authenticator code (spaces and dashes dropped); undefined if malformed. */
export function normalizeToken(x: unknown): string | undefined {
  if (typeof x !== 'string' || x.length > 32) return undefined;
  const t = x.replace(/[\s-]/g, '');
  return /^[0-9]{6,8}$/.test(t) ? t : undefined;
}
