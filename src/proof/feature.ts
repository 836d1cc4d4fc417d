/**
 * The proof feature of the verifier shell: issues a proof on every approval (through the
 * `afterApprove` hook for SMS/voice codes, directly for authenticator codes) and verifies
 * proofs: signature, expiry, purpose, optional phone/subject binding, security stamp and
 * optional single use. @internal
 * @module
 */

import { errAsync, ok, okAsync, type Result, type ResultAsync } from 'neverthrow';
import { toBase64Url } from '../crypto';
import { type VerifyError, verifyError } from '../errors';
import { MARKER_PADDING_MS } from '../feature/clock';
import type { Feature, FeatureIO } from '../feature/feature';
import { purposeOf } from '../feature/input';
import type { Proofs } from '../feature/proofs';
import { subjectKey } from '../feature/subject';
import { phoneKey, seal, unseal } from '../secrets';
import { bumpStamp, consumeProof, readStamp, stampKey } from './stamp';
import { type ProofClaims, type ProofConfig, proofKeys, readProof, signProof } from './token';
import type { ProofOptions, VerifiedProof } from './types';

const DEFAULT_TTL_MS = 5 * 60_000;

/** Signs a proof for an approval made at `at`; Ok(undefined) when proofs are off. */
type Sign = (claims: ProofClaims, at: number) => Result<string | undefined, VerifyError>;
const MAX_TOKEN_LENGTH = 4096;

function fail(message: string): never {
  throw new TypeError(`phoneproof: proof.${message}`);
}

/** Validates proof options; throws on misconfiguration. */
export function resolveProofConfig(
  options: ProofOptions | false | undefined,
): ProofConfig | undefined {
  if (options === false) return undefined;
  const o = options ?? {};
  if (typeof o !== 'object') fail('must be an options object or false.');
  const ttlMs = o.ttlMs ?? DEFAULT_TTL_MS;
  if (!Number.isInteger(ttlMs) || ttlMs < 10_000 || ttlMs > 86_400_000) {
    fail(`ttlMs must be an integer from 10000 to 86400000 (got ${String(ttlMs)}).`);
  }
  const issuer = o.issuer ?? 'phoneproof';
  if (typeof issuer !== 'string' || issuer.length === 0) fail('issuer must be a non-empty string.');
  const aud = o.audience;
  const audOk =
    aud === undefined ||
    (typeof aud === 'string' && aud.length > 0) ||
    (Array.isArray(aud) &&
      aud.length > 0 &&
      aud.every((a) => typeof a === 'string' && a.length > 0));
  if (!audOk) fail('audience must be a non-empty string or list of strings.');
  return { ttlMs, singleUse: o.singleUse === true, issuer, audience: aud };
}

/** `verifyProof`: signature, expiry, purpose, binding, security stamp, single use. */
function verifier(
  sh: FeatureIO,
  config: ProofConfig | undefined,
  keys: ReturnType<typeof proofKeys>,
  hashOf: (kind: ProofClaims['kind'], id: string) => string,
): Proofs['verify'] {
  return (token, opts) => {
    if (!config) {
      return errAsync(
        verifyError('proof_invalid', { message: 'Proofs are turned off (proof: false).' }),
      );
    }
    const needPurpose = verifyError('invalid_request', {
      message: 'verifyProof needs { purpose }: the purpose the proof must carry.',
    });
    if (typeof opts !== 'object' || opts === null) return errAsync(needPurpose);
    const purpose = purposeOf(opts.purpose);
    if (purpose.isErr() || opts.purpose === undefined) return errAsync(needPurpose);
    let phone: string | undefined;
    if (opts.phone !== undefined) {
      const p = sh.phoneOf(opts.phone);
      if (p.isErr()) return errAsync(p.error);
      phone = p.value.number;
    }
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      return errAsync(verifyError('proof_invalid'));
    }
    const at = sh.now();
    return readProof(keys, config, token, at).andThen((p) => {
      const sub = unseal(sh.ring, 'proof-identity', p.sealed);
      // Signed by us, so this holds unless the secret list lost the sealing key.
      if (sub === undefined) {
        return errAsync(
          verifyError('proof_invalid', { message: 'The proof token cannot be opened.' }),
        );
      }
      const mismatch = (what: string) =>
        errAsync(
          verifyError('proof_invalid', { message: `The proof token is for another ${what}.` }),
        );
      if (p.purpose !== purpose.value) return mismatch('purpose');
      if (phone !== undefined && (p.kind !== 'phone' || sub !== phone))
        return mismatch('phone number');
      if (opts.subject !== undefined && (p.kind !== 'subject' || sub !== opts.subject)) {
        return mismatch('subject');
      }
      const key = stampKey(p.kind === 'phone' ? 'p' : 's', hashOf(p.kind, sub));
      const proof: VerifiedProof = {
        ...(p.kind === 'phone'
          ? { kind: 'phone' as const, phone: sub }
          : { kind: 'subject' as const, subject: sub }),
        purpose: p.purpose,
        verificationId: p.verificationId,
        method: p.method,
        verifiedAt: p.verifiedAt,
        issuedAt: p.iat * 1000,
        expiresAt: p.exp * 1000,
        tokenId: p.jti,
      };
      return readStamp(sh.store, key).andThen((stamp) => {
        if (p.verifiedAt <= stamp) return errAsync(verifyError('proof_revoked'));
        if (!(opts.singleUse ?? config.singleUse)) return okAsync(proof);
        return consumeProof(sh.store, p.jti, p.exp * 1000 - at + MARKER_PADDING_MS).andThen(
          (fresh) => (fresh ? okAsync(proof) : errAsync(verifyError('proof_used'))),
        );
      });
    });
  };
}

/** The proofs API, and `sign`: `issue` without the promise (for the approval hook). */
export function makeProofs(
  sh: FeatureIO,
  options: ProofOptions | false | undefined,
): Proofs & { readonly sign: Sign } {
  const config = resolveProofConfig(options);
  const keys = proofKeys(sh.ring);
  const stampTtl = (config?.ttlMs ?? DEFAULT_TTL_MS) + 2_000;
  const jti = () => toBase64Url(sh.random(16));

  const hashOf = (kind: ProofClaims['kind'], id: string) =>
    kind === 'phone' ? phoneKey(sh.ring, id) : subjectKey(sh.ring, id);

  const sign: Sign = (claims, at) => {
    if (!config) return ok(undefined);
    const id = { sealed: seal(sh.ring, 'proof-identity', claims.sub, sh.random(12)) };
    return signProof(keys, config, claims, id, jti(), at);
  };
  const issue: Proofs['issue'] = (claims, at) => {
    const r = sign(claims, at);
    return r.isOk() ? okAsync(r.value) : errAsync(r.error);
  };

  const verify = verifier(sh, config, keys, hashOf);

  const revoke: Proofs['revoke'] = (targets, at) => {
    const keysToBump: string[] = [];
    if (targets.phone !== undefined)
      keysToBump.push(stampKey('p', phoneKey(sh.ring, targets.phone)));
    if (targets.subject !== undefined) {
      keysToBump.push(stampKey('s', subjectKey(sh.ring, targets.subject)));
    }
    return keysToBump
      .reduce<ResultAsync<number, VerifyError>>(
        (acc, key) => acc.andThen(() => bumpStamp(sh.store, key, at, stampTtl)),
        okAsync(at),
      )
      .map(() => at);
  };

  return { enabled: config !== undefined, issue, sign, verify, revoke };
}

/**
 * The proof feature: its `afterApprove` hook adds a signed `proof` to every approval (when
 * proofs are on); its API issues, verifies and revokes proofs. Throws on misconfiguration.
 */
export function proofFeature(
  options: ProofOptions | false | undefined,
  io: FeatureIO,
): Feature<Proofs> {
  const proofs = makeProofs(io, options);
  if (!proofs.enabled) return { name: 'proof', hooks: {}, api: proofs };
  return {
    name: 'proof',
    hooks: {
      // Synchronous: the approval's proof is signed in memory, nothing to await.
      afterApprove: (result) =>
        proofs
          .sign(
            {
              kind: 'phone',
              sub: result.phone,
              purpose: result.purpose,
              verificationId: result.id,
              method: 'phone',
              verifiedAt: result.verifiedAt,
            },
            result.verifiedAt,
          )
          .map((proof) => (proof === undefined ? result : { ...result, proof })),
    },
    api: proofs,
  };
}
