/**
 * Default requester data for events: the framework's proxy-aware client IP, the user
 * agent and a device-id header, each bounded in length. @internal
 * @module
 */
import type { RequestContext } from '../verifier/types';

/** Default header read for the device id (the reference endpoint's `deviceId`). */
export const DEFAULT_DEVICE_ID_HEADER = 'x-device-id';

const MAX_HEADER_TEXT = 256;

function text(v: string | readonly string[] | undefined): string | undefined {
  const s = typeof v === 'string' ? v : undefined;
  return s === undefined || s.length === 0 ? undefined : s.slice(0, MAX_HEADER_TEXT);
}

export interface ContextSource {
  /** The framework's client IP (Express `req.ip`, Fastify `request.ip`: both honour trust-proxy settings). */
  readonly ip: string | undefined;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export function defaultContext(source: ContextSource, deviceIdHeader: string): RequestContext {
  const ip = text(source.ip);
  const userAgent = text(source.headers['user-agent']);
  const deviceId = text(source.headers[deviceIdHeader]);
  return {
    ...(ip !== undefined ? { ip } : {}),
    ...(userAgent !== undefined ? { userAgent } : {}),
    ...(deviceId !== undefined ? { deviceId } : {}),
  };
}
