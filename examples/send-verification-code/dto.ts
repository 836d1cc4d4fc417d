/**
 * The reference endpoint's shapes: `VerificationRequestDTO` in, `PhoneVerificationDTO` out,
 * and how each request field becomes a phoneproof input.
 * @module
 */
import type { Channel, RequestContext, StartInput, VerifyError } from '../../src/index';

/** The fields of `VerificationRequestDTO` this endpoint reads (the others are accepted and ignored). */
export interface VerificationRequest {
  readonly PhoneNo: string;
  readonly UserId?: number;
  readonly LeadId?: number;
  readonly VerificationType?: number;
  readonly Code?: string;
  readonly IsOptInConsent?: boolean;
  readonly OptInMessageContent?: string;
  readonly OptInMessageVersion?: number;
}

/** `PhoneVerificationDTO`, plus the MFA fields of the reference's `UserDTO` read from status. */
export interface PhoneVerificationDTO {
  readonly ToUserId: number | null;
  /** 0: the system sent it. */
  readonly FromUserId: number;
  /** The destination, masked (`+1 ••• ••• ••53`). */
  readonly number: string;
  /** What happened, for people. Never the code. */
  readonly text: string;
  /** `pending` (code sent), `approved` (code right), or the refusal's phoneproof error code. */
  readonly status: string;
  /** The refusal's message; null on success. */
  readonly exception: string | null;
  /** 1 SMS, 2 voice call, 3 authenticator app. */
  readonly NotificationType: 1 | 2 | 3;
  /** Failed verifications counting toward the next lock (`failedVerifications`). */
  readonly MFAAttemptCount: number;
  /** Codes that may still be tried on the current verification (`attemptsLeft`), when known. */
  readonly AttemptsLeft: number | null;
  readonly IsMFALock: boolean;
  /** When the lock ends (ISO 8601), or null (`lockedUntil`). */
  readonly MFALockDate: string | null;
}

/** The reference does not publish its VerificationType values; this example's choice. */
export type Method = Channel | 'authenticator';

export function methodOf(verificationType: unknown): Method {
  if (verificationType === 2) return 'voice';
  if (verificationType === 3) return 'authenticator';
  return 'sms';
}

export const notificationType = (m: Method): 1 | 2 | 3 =>
  m === 'voice' ? 2 : m === 'authenticator' ? 3 : 1;

/** Requester data for events and budgets: the user, the lead, the caller's address. */
export function contextOf(r: VerificationRequest, ip: string | undefined): RequestContext {
  return {
    ...(ip ? { ip } : {}),
    ...(r.UserId !== undefined && r.UserId !== null ? { userId: String(r.UserId) } : {}),
    ...(r.LeadId !== undefined && r.LeadId !== null ? { leadId: r.LeadId } : {}),
  };
}

/** The opt-in given with this request (IsOptInConsent + OptInMessageContent + OptInMessageVersion). */
export function consentOf(r: VerificationRequest): StartInput['consent'] {
  if (r.IsOptInConsent !== true) return undefined;
  return {
    text: r.OptInMessageContent ?? '',
    version: r.OptInMessageVersion ?? '',
    source: 'lead_form',
  };
}

export interface Lock {
  readonly failedVerifications: number;
  readonly lockedUntil: number | null;
  readonly attemptsLeft: number | null;
}

export const noLock: Lock = { failedVerifications: 0, lockedUntil: null, attemptsLeft: null };

/** Builds the response body. */
export function dto(
  r: VerificationRequest | undefined,
  method: Method,
  fields: { number: string; text: string; status: string; error?: VerifyError },
  lock: Lock,
): PhoneVerificationDTO {
  return {
    ToUserId: r?.UserId ?? null,
    FromUserId: 0,
    number: fields.number,
    text: fields.text,
    status: fields.status,
    exception: fields.error ? fields.error.message : null,
    NotificationType: notificationType(method),
    MFAAttemptCount: lock.failedVerifications,
    AttemptsLeft: lock.attemptsLeft,
    IsMFALock: lock.lockedUntil !== null,
    MFALockDate: lock.lockedUntil === null ? null : new Date(lock.lockedUntil).toISOString(),
  };
}
