/**
 * The example's accounts (ASP.NET Identity's AccountModel, reduced to what this endpoint
 * needs), their ASP.NET Identity lockout (`AccessFailedCount`, `LockoutEndDateUtc`, kept in
 * the account as Identity's UserManager keeps them in the user record, driven by phoneproof's
 * check results) and the lockout view it answers with. Codes, password hashes and failure
 * counts are never read from the request: the server's records are the truth.
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
  /** Wrong codes since the last success or lock (ASP.NET Identity's AccessFailedCount). */
  AccessFailedCount: number;
  /** Epoch ms when the account's lockout ends, or null (ASP.NET Identity's LockoutEndDateUtc). */
  LockoutEndDateUtc: number | null;
}

/** ASP.NET Identity's `MaxFailedAccessAttemptsBeforeLockout` in its templates. */
export const MAX_FAILED_ACCESS_ATTEMPTS = 5;
/** ASP.NET Identity's `DefaultAccountLockoutTimeSpan` in its templates: 5 minutes. */
export const LOCKOUT_MS = 5 * 60_000;

/** When the account's own lockout ends, if it is locked at `now`. */
export const accountLockedUntil = (a: Account, now: number): number | undefined =>
  a.LockoutEndDateUtc !== null && a.LockoutEndDateUtc > now ? a.LockoutEndDateUtc : undefined;

/**
 * A wrong code (UserManager.AccessFailedAsync): one more failure; at the maximum the account
 * locks for {@link LOCKOUT_MS} and the count starts again from 0. True when this locked it.
 */
export function accessFailed(a: Account, now: number): boolean {
  a.AccessFailedCount += 1;
  if (a.AccessFailedCount < MAX_FAILED_ACCESS_ATTEMPTS) return false;
  a.LockoutEndDateUtc = now + LOCKOUT_MS;
  a.AccessFailedCount = 0;
  return true;
}

/** A right code (UserManager.ResetAccessFailedCountAsync). */
export function accessSucceeded(a: Account): void {
  a.AccessFailedCount = 0;
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
      AccessFailedCount: 0,
      LockoutEndDateUtc: null,
    },
  ];
}

/** The lockout view: ASP.NET Identity's fields, read from phoneproof's status. */
export type LockoutView = {
  readonly ID: string;
  /** Masked: the full number never leaves the server. */
  readonly PhoneNumber: string;
  readonly PhoneNumberConfirmed: boolean;
  readonly TwoFactorEnabled: boolean;
  readonly LockoutEnabled: boolean;
  /** Wrong codes since the last success or lock (the account's count, as ASP.NET Identity's). */
  readonly AccessFailedCount: number;
  /** ISO 8601 (UTC), or null when not locked. */
  readonly LockoutEndDateUtc: string | null;
};

/**
 * The view: `AccessFailedCount` is the account's; `LockoutEndDateUtc` the later of the
 * account's lockout and phoneproof's lock of the phone (from status, or from a refusal).
 */
export function lockoutView(
  a: Account,
  masked: string,
  now: number,
  status: Pick<StatusResult, 'lockedUntil'> | undefined,
  lockedUntil?: number,
): LockoutView {
  const ends = [accountLockedUntil(a, now), status?.lockedUntil ?? undefined, lockedUntil];
  const known = ends.filter((x): x is number => typeof x === 'number' && x > now);
  const until = known.length > 0 ? Math.max(...known) : null;
  return {
    ID: a.ID,
    PhoneNumber: masked,
    PhoneNumberConfirmed: a.PhoneNumberConfirmed,
    TwoFactorEnabled: a.TwoFactorEnabled,
    LockoutEnabled: true,
    AccessFailedCount: a.AccessFailedCount,
    LockoutEndDateUtc: until === null ? null : new Date(until).toISOString(),
  };
}
