/**
 * Public types of proof tokens and security stamps.
 * @module
 */

/** Proof-token settings (`createVerifier({ proof })`); `proof: false` turns proofs off. */
export interface ProofOptions {
  /** How long a proof is accepted, ms (default 5 min; 10 s to 24 h). */
  readonly ttlMs?: number;
  /** When true, `verifyProof` accepts each proof once (recorded in the store). Default false. */
  readonly singleUse?: boolean;
  /** The `iss` claim (default `phoneproof`). */
  readonly issuer?: string;
  /** The `aud` claim; `verifyProof` then requires it. */
  readonly audience?: string | readonly string[];
}

/** What a proof vouches for: a phone number (SMS/voice code) or a subject (authenticator). */
export type ProofKind = 'phone' | 'subject';

/** How the holder proved it: a code sent to the phone, an authenticator code, a recovery code. */
export type ProofMethod = 'phone' | 'totp' | 'recovery';

export interface VerifyProofOptions {
  /** The purpose the proof must carry (a proof for `signup` never satisfies `login`). */
  readonly purpose: string;
  /** When given, the proof must be for this number (any accepted format; compared in E.164). */
  readonly phone?: string;
  /** When given, the proof must be for this subject. */
  readonly subject?: string;
  /** Overrides the verifier's `proof.singleUse` for this call. */
  readonly singleUse?: boolean;
}

/** Fields of every proof that passed every check. */
interface VerifiedProofFields {
  readonly purpose: string;
  /** The verification (or second-factor challenge) the proof came from. */
  readonly verificationId: string;
  readonly method: ProofMethod;
  /** Epoch ms of the approval. */
  readonly verifiedAt: number;
  /** Epoch ms (second precision). */
  readonly issuedAt: number;
  /** Epoch ms (second precision). */
  readonly expiresAt: number;
  /** The token's unique id (`jti`). */
  readonly tokenId: string;
}

/** A proof that the holder has a phone number (a code sent by SMS or voice). */
export interface VerifiedPhoneProof extends VerifiedProofFields {
  readonly kind: 'phone';
  /** E.164. */
  readonly phone: string;
  readonly subject?: undefined;
}

/** A proof that the holder has a subject's authenticator (or one of its recovery codes). */
export interface VerifiedSubjectProof extends VerifiedProofFields {
  readonly kind: 'subject';
  readonly subject: string;
  readonly phone?: undefined;
}

/**
 * A proof that passed every check: a union on `kind`, so `if (p.kind === 'phone')` gives
 * `p.phone: string`. `verifyProof(token, { phone })` resolves to a {@link VerifiedPhoneProof}
 * and `verifyProof(token, { subject })` to a {@link VerifiedSubjectProof}.
 */
export type VerifiedProof = VerifiedPhoneProof | VerifiedSubjectProof;

/** The proof `verifyProof` resolves to for these options (narrowed by a phone or subject binding). */
export type VerifiedProofFor<O extends VerifyProofOptions> = O extends { readonly phone: string }
  ? VerifiedPhoneProof
  : O extends { readonly subject: string }
    ? VerifiedSubjectProof
    : VerifiedProof;

/** `invalidate` targets: a phone, a subject, or both (e.g. after a password reset). */
export interface InvalidateInput {
  readonly phone?: string;
  readonly subject?: string;
}

export interface InvalidateResult {
  /** Ids of the phone's verifications that were pending and are now canceled. */
  readonly canceled: readonly string[];
  /** Whether the subject had an authenticator enrollment (its current codes are now revoked). */
  readonly totp: boolean;
  /** Epoch ms: proofs for these targets approved at or before this time are refused. */
  readonly revokedAt: number;
}
