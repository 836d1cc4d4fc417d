/**
 * The reference endpoint's DTOs (`PhoneVerificationRequest`, `RequestSignature`,
 * `PhoneVerificationRequestResult`) and how a caller signs one with phoneproof's signed
 * requests: the HMAC covers the method, the request target, the timestamp and these fields;
 * `systemSecret` never travels.
 * @module
 */
import type { Secret } from '../../src/index';
import { SIGNATURE_HEADER, signRequest } from '../../src/signatures/index';

export interface RequestSignature {
  readonly systemId?: string;
  /** Never sent: the signature proves the caller holds it. A non-empty value is refused. */
  readonly systemSecret?: string;
  readonly signature?: string;
}

export interface PhoneVerificationRequest {
  readonly fullPhoneNumber?: string;
  readonly path?: string;
  readonly deviceId?: string;
  readonly os?: string;
  /** Unix time in seconds, UTC. */
  readonly requestUnixUTCTimeStamp?: number;
  readonly signature?: RequestSignature;
}

export interface PhoneVerificationRequestResult {
  readonly token: string | null;
  readonly sentSuccess: boolean;
  readonly statusCode: number;
  readonly statusMessage: string;
}

/** The signed text of the body: its four request fields, as sent, in a fixed order. */
export function signedBody(r: PhoneVerificationRequest): string {
  return JSON.stringify([r.fullPhoneNumber ?? '', r.path ?? '', r.deviceId ?? '', r.os ?? '']);
}

/**
 * What a calling system runs: fills `requestUnixUTCTimeStamp` and `signature` for a POST to
 * `target` (path and query, exactly as sent). Returns the body to send.
 */
export function signPhoneVerificationRequest(
  target: string,
  request: Omit<PhoneVerificationRequest, 'signature' | 'requestUnixUTCTimeStamp'>,
  caller: { readonly systemId: string; readonly secret: Secret; readonly nowMs?: number },
): PhoneVerificationRequest {
  const seconds = Math.floor((caller.nowMs ?? Date.now()) / 1000);
  const headers = signRequest({
    systemId: caller.systemId,
    secret: caller.secret,
    method: 'POST',
    path: target,
    body: signedBody(request),
    timestamp: seconds * 1000,
  });
  return {
    ...request,
    requestUnixUTCTimeStamp: seconds,
    signature: { systemId: caller.systemId, signature: headers[SIGNATURE_HEADER] },
  };
}

export const result = (
  statusCode: number,
  statusMessage: string,
  token: string | null = null,
): PhoneVerificationRequestResult => ({
  token,
  sentSuccess: token !== null,
  statusCode,
  statusMessage,
});
