/**
 * What the proof feature offers other features (authenticator approvals issue proofs too)
 * and the verifier's `invalidate`: a neutral module, so neither imports the other.
 * @module
 */
import type { ResultAsync } from 'neverthrow';
import type { VerifyError } from '../errors';
import type { ProofClaims } from '../proof/token';
import type { VerifiedProof, VerifyProofOptions } from '../proof/types';

export type { ProofClaims };

export interface Proofs {
  /** Whether proofs are issued at all (`proof: false` turns them off). */
  readonly enabled: boolean;
  /** Signs a proof for an approval made at `at`; Ok(undefined) when proofs are off. */
  issue(claims: ProofClaims, at: number): ResultAsync<string | undefined, VerifyError>;
  verify(token: unknown, options: VerifyProofOptions): ResultAsync<VerifiedProof, VerifyError>;
  /** Refuses every proof for these targets approved at or before `at`. */
  revoke(
    targets: { phone?: string; subject?: string },
    at: number,
  ): ResultAsync<number, VerifyError>;
}

/** What the authenticator feature offers `invalidate`. */
export interface SubjectRevocation {
  /** Revokes the subject's current codes, pending enrollment and challenges; true if enrolled. */
  invalidate(subject: string, at: number): ResultAsync<boolean, VerifyError>;
}
