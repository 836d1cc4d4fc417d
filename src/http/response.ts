/**
 * Response shaping: the JSON body of each route's success. Full phone numbers never leave:
 * `to` is the masked number and the check result's E.164 `phone` is dropped (the server
 * that mounts the adapter reads it through `mapResponse` or the verifier's events).
 * `expiresIn` / `resendIn` are seconds from now, so a page can count down without trusting
 * its own clock. @internal
 * @module
 */

import type { TotpApproval } from '../totp/types';
import type { CancelResult, CheckResult, StartResult, StatusResult } from '../verifier/types';

const seconds = (at: number, now: number) => Math.max(0, Math.ceil((at - now) / 1000));

export function startBody(r: StartResult, now: number) {
  return {
    id: r.id,
    status: 'pending' as const,
    to: r.to,
    channel: r.channel,
    purpose: r.purpose,
    expiresAt: r.expiresAt,
    expiresIn: seconds(r.expiresAt, now),
    resendAvailableAt: r.resendAvailableAt,
    resendIn: seconds(r.resendAvailableAt, now),
    sendsLeft: r.sendsLeft,
  };
}

export function checkBody(r: CheckResult) {
  const proof = (r as { proof?: unknown }).proof;
  return {
    status: r.status,
    id: r.id,
    to: r.to,
    purpose: r.purpose,
    verifiedAt: r.verifiedAt,
    ...(proof !== undefined ? { proof } : {}),
  };
}

/**
 * The verification's own state; the phone's (failures of all its verifications, its lock)
 * only with `showsPhone` (the `statusShowsPhone` option): any id holder may ask.
 */
export function statusBody(r: StatusResult, now: number, showsPhone = false) {
  return {
    id: r.id,
    status: r.status,
    to: r.to,
    channel: r.channel,
    purpose: r.purpose,
    attemptsLeft: r.attemptsLeft,
    sendsLeft: r.sendsLeft,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    expiresIn: seconds(r.expiresAt, now),
    resendAvailableAt: r.resendAvailableAt,
    resendIn: seconds(r.resendAvailableAt, now),
    ...(showsPhone
      ? { failedVerifications: r.failedVerifications, lockedUntil: r.lockedUntil }
      : {}),
  };
}

export function cancelBody(r: CancelResult) {
  return { id: r.id, status: r.status };
}

export interface InboundResult {
  readonly action: 'opted_out' | 'opted_in' | 'help' | 'none' | 'ignored';
  readonly reply?: string | undefined;
}

export function inboundBody(r: InboundResult) {
  return { action: r.action, ...(typeof r.reply === 'string' ? { reply: r.reply } : {}) };
}

/** An authenticator or recovery code approved (the subject is not echoed to the client). */
export function totpBody(r: TotpApproval) {
  return {
    status: r.status,
    id: r.id,
    purpose: r.purpose,
    method: r.method,
    verifiedAt: r.verifiedAt,
    ...(r.recoveryCodesLeft !== undefined ? { recoveryCodesLeft: r.recoveryCodesLeft } : {}),
    ...(r.proof !== undefined ? { proof: r.proof } : {}),
  };
}
