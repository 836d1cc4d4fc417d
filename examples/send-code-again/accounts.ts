/**
 * The example's accounts (ASP.NET Identity's AccountModel, reduced to what this endpoint
 * needs) and the lockout view it answers with. Codes, password hashes and failure counts
 * are never read from the request: the server's records are the truth.
 * @module
 */
import type { StatusResult } from '../../src/index';

export interface Account {
  readonly ID: string;
  readonly UserName: string;
  /** E.164, on file. */
  readonly PhoneNumber: string;
  PhoneNumberConfirmed: boolean;
  readonly TwoFactorEnabled: boolean;
  /** The verification of the phone in progress, if any. */
  verificationId?: string;
}

/** The sample request's account id, seeded so the documented sample finds an account. */
export const SAMPLE_ACCOUNT_ID = 'c2556b9f-5550-423d-bcfa-9422eac2ee24';

export function demoAccounts(): Account[] {
  return [
    {
      ID: SAMPLE_ACCOUNT_ID,
      UserName: 'sample string 15',
      PhoneNumber: '+12133734253',
      PhoneNumberConfirmed: false,
      TwoFactorEnabled: true,
    },
  ];
}

/** The lockout view: ASP.NET Identity's fields, read from phoneproof's status. */
export interface LockoutView {
  readonly ID: string;
  /** Masked: the full number never leaves the server. */
  readonly PhoneNumber: string;
  readonly PhoneNumberConfirmed: boolean;
  readonly TwoFactorEnabled: boolean;
  readonly LockoutEnabled: boolean;
  /** Failed verifications counting toward the next lock. */
  readonly AccessFailedCount: number;
  /** ISO 8601 (UTC), or null when not locked. */
  readonly LockoutEndDateUtc: string | null;
}

export function lockoutView(
  a: Account,
  masked: string,
  status: Pick<StatusResult, 'failedVerifications' | 'lockedUntil'> | undefined,
  lockedUntil?: number,
): LockoutView {
  const until = status?.lockedUntil ?? lockedUntil ?? null;
  return {
    ID: a.ID,
    PhoneNumber: masked,
    PhoneNumberConfirmed: a.PhoneNumberConfirmed,
    TwoFactorEnabled: a.TwoFactorEnabled,
    LockoutEnabled: true,
    AccessFailedCount: status?.failedVerifications ?? 0,
    LockoutEndDateUtc: until === null ? null : new Date(until).toISOString(),
  };
}
