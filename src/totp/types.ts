/**
 * Public types of the authenticator-app (TOTP) feature: `verifier.totp`.
 * @module
 */
import type { ResultAsync } from 'neverthrow';
import type { VerifyError } from '../errors';
import type { QrOption } from './qr';

export type { QrOption } from './qr';

/** Authenticator settings (`createVerifier({ totp })`). Each enrollment keeps the settings it was made with. */
export interface TotpOptions {
  /** Issuer shown in the app (default: `appName`). */
  readonly issuer?: string;
  /** HMAC hash (default `sha1`: the one every authenticator app supports). */
  readonly algorithm?: 'sha1' | 'sha256' | 'sha512';
  /** Code length, 6 to 8 (default 6). */
  readonly digits?: number;
  /** Time step, seconds (default 30). */
  readonly period?: number;
  /** Accepted steps around the current one (default: the current step and one back). */
  readonly tolerance?: { readonly past?: number; readonly future?: number };
  /** Random bytes per new secret (default 20; 16 to 64). */
  readonly secretBytes?: number;
  /** QR code format for `enroll` (default `svg`; needs the optional `qrcode` package). */
  readonly qr?: QrOption;
  /** How long an enrollment waits for its confirming code, ms (default 15 min). */
  readonly enrollmentTtlMs?: number;
  /** How long a second-factor challenge is accepted, ms (default 5 min). */
  readonly challengeTtlMs?: number;
  /** Recovery codes generated on confirmation (default 10; 0 for none). */
  readonly recoveryCodes?: number;
}

export interface TotpEnrollInput {
  /** Your identifier for the account (user id, email). Stored only as a keyed hash. */
  readonly subject: string;
  /** The account name the app shows (default: the subject). */
  readonly accountName?: string;
  /** Overrides `totp.issuer` for this enrollment. */
  readonly issuer?: string;
  /** Import an existing base32 secret (migration) instead of generating one. */
  readonly secret?: string;
}

export interface TotpEnrollResult {
  /** Base32 secret, for manual entry. Shown once: phoneproof stores it only encrypted. */
  readonly secret: string;
  /** `otpauth://totp/...` URI. */
  readonly uri: string;
  /** The URI as a QR code (SVG document or PNG data URL); absent when `totp.qr` is false. */
  readonly qr?: string;
  readonly algorithm: 'sha1' | 'sha256' | 'sha512';
  readonly digits: number;
  readonly period: number;
  /** Epoch ms: confirm before this or enroll again. */
  readonly expiresAt: number;
}

export interface TotpConfirmInput {
  readonly subject: string;
  /** A code from the app, proving it was set up. */
  readonly token: string;
}

export interface TotpConfirmResult {
  readonly status: 'active';
  readonly subject: string;
  readonly confirmedAt: number;
  /** Single-use recovery codes, shown once (only their digests are stored). */
  readonly recoveryCodes: readonly string[];
}

/** A code for a subject, or for a second-factor challenge from `totp.challenge`. */
export type TotpVerifyInput =
  | { readonly subject: string; readonly token: string; readonly purpose?: string }
  | { readonly id: string; readonly token: string };

export type TotpRecoverInput =
  | { readonly subject: string; readonly code: string; readonly purpose?: string }
  | { readonly id: string; readonly code: string };

export interface TotpApproval {
  readonly status: 'approved';
  readonly subject: string;
  readonly purpose: string;
  /** The challenge's id, or a fresh id for a direct verification (the proof's verification id). */
  readonly id: string;
  readonly method: 'totp' | 'recovery';
  /** Epoch ms. */
  readonly verifiedAt: number;
  /** Recovery codes left (after `recover`). */
  readonly recoveryCodesLeft?: number;
  /** Proof token, unless proofs are off. */
  readonly proof?: string;
}

export interface TotpChallengeInput {
  readonly subject: string;
  readonly purpose?: string;
}

export interface TotpChallengeResult {
  /** The second-factor token: hand it to the client, take it back with the code. */
  readonly id: string;
  readonly purpose: string;
  readonly expiresAt: number;
}

export interface TotpStatusResult {
  readonly status: 'none' | 'pending' | 'active';
  readonly confirmedAt: number | null;
  readonly recoveryCodesLeft: number;
  /** Failed verifications counted toward the next lock. */
  readonly failedVerifications: number;
  /** Epoch ms when the subject's lock ends; null when not locked. */
  readonly lockedUntil: number | null;
}

export interface SubjectInput {
  readonly subject: string;
}

/** `verifier.totp`. */
export interface TotpApi {
  enroll(input: TotpEnrollInput): ResultAsync<TotpEnrollResult, VerifyError>;
  confirm(input: TotpConfirmInput): ResultAsync<TotpConfirmResult, VerifyError>;
  verify(input: TotpVerifyInput): ResultAsync<TotpApproval, VerifyError>;
  recover(input: TotpRecoverInput): ResultAsync<TotpApproval, VerifyError>;
  challenge(input: TotpChallengeInput): ResultAsync<TotpChallengeResult, VerifyError>;
  /** Replaces the recovery codes; resolves with the new ones (shown once). */
  regenerateRecoveryCodes(input: SubjectInput): ResultAsync<readonly string[], VerifyError>;
  disable(input: SubjectInput): ResultAsync<{ readonly disabled: boolean }, VerifyError>;
  status(input: SubjectInput): ResultAsync<TotpStatusResult, VerifyError>;
}
