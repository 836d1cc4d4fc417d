/**
 * Options shared by the HTTP adapters, validated once when the router or plugin is built
 * (misconfiguration throws there, never on a request). @internal
 * @module
 */
import type { VerifyError } from '../errors';
import type { SignatureOptions } from '../signatures/verify';
import type { RequestContext } from '../verifier/types';
import type { HttpResponse } from './errors';
import { type InboundAuth, validateInboundAuth } from './inbound';
import { OPERATIONS, type Operation } from './routes';

/** What `mapResponse` is told about the response it may reshape. */
export interface ResponseInfo<Req> {
  readonly operation: Operation;
  readonly request: Req;
  /** The verifier's result (success), including fields the default body leaves out. */
  readonly result?: unknown;
  /** The refusal (failure). */
  readonly error?: VerifyError;
}

export interface HttpOptions<Req> {
  /**
   * Role/permission check run before any work (after the signature check). Return false
   * to refuse with 403 `forbidden`. An exception goes to the framework's error handling.
   */
  readonly authorize?: (request: Req, operation: Operation) => boolean | Promise<boolean>;
  /**
   * The client's IP, resolved by the app (default: the framework's proxy-aware `req.ip` /
   * `request.ip`). Used by the default `context`; passing it also lifts the adapters'
   * refusal of a framework that trusts every proxy hop (see docs/express.md, "Behind a
   * proxy"): you then answer for the IP it returns.
   */
  readonly clientIp?: (request: Req) => string | undefined;
  /** Requester data passed to the verifier's events (default: IP, user agent, device id). */
  readonly context?: (request: Req) => RequestContext | Promise<RequestContext>;
  /** Reshapes every response (success and error), e.g. to keep an existing API's shape. */
  readonly mapResponse?: (response: HttpResponse, info: ResponseInfo<Req>) => HttpResponse;
  /** Require signed requests from known systems (see `docs/signed-requests.md`). */
  readonly signatures?: SignatureOptions & {
    /** Operations that skip the signature check (e.g. `['inbound']` for a provider webhook). */
    readonly exempt?: readonly Operation[];
  };
  /**
   * Mounts the inbound-SMS webhook (`POST /inbound-sms`, STOP / START / HELP) and says how
   * its requests are authenticated: `{ twilio: { authToken, url } }` (X-Twilio-Signature),
   * `{ vonage: { signatureSecret, numbers, method? } }` (SMS API `sig` or Messages API JWT,
   * to one of `numbers`), or
   * `{ unsafe: 'unauthenticated' }`. Default: no webhook. Needs consent configured.
   */
  readonly inbound?: InboundAuth | false;
  /**
   * The `source` recorded for a consent given with `start` over HTTP (default `web`). The
   * client cannot name it: whatever `consent.source` the body carries is ignored.
   */
  readonly consentSource?: string;
  /**
   * `GET /verifications/:id` also shows the phone's state shared by all its verifications
   * (`failedVerifications`, `lockedUntil`). Default false: anyone holding one id sees only
   * that verification's own state (see docs/http-api.md).
   */
  readonly statusShowsPhone?: boolean;
  /** Largest JSON body in bytes (default 16 KiB). */
  readonly bodyLimit?: number;
  /** Header read by the default `context` for the device id (default `x-device-id`). */
  readonly deviceIdHeader?: string;
  /** Clock for `expiresIn`/`resendIn`, epoch ms (default: the verifier's decision clock). */
  readonly now?: () => number;
}

function fn(name: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'function') {
    throw new TypeError(`phoneproof: \`${name}\` must be a function.`);
  }
}

/** Throws a TypeError naming the first bad option. */
export function validateHttpOptions(verifier: unknown, options: unknown): void {
  const v = verifier as Record<string, unknown> | null | undefined;
  if (
    !v ||
    ['start', 'check', 'resend', 'status', 'cancel'].some((k) => typeof v[k] !== 'function')
  ) {
    throw new TypeError('phoneproof: pass the verifier made by createVerifier().');
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('phoneproof: options must be an object.');
  }
  const o = options as Record<string, unknown>;
  fn('authorize', o.authorize);
  fn('clientIp', o.clientIp);
  fn('context', o.context);
  fn('mapResponse', o.mapResponse);
  fn('now', o.now);
  validateInboundAuth(o.inbound);
  if (
    o.consentSource !== undefined &&
    (typeof o.consentSource !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(o.consentSource))
  ) {
    throw new TypeError('phoneproof: `consentSource` must be 1-64 letters, digits or _.:-');
  }
  if (o.statusShowsPhone !== undefined && typeof o.statusShowsPhone !== 'boolean') {
    throw new TypeError('phoneproof: `statusShowsPhone` must be a boolean.');
  }
  if (
    o.bodyLimit !== undefined &&
    (!Number.isSafeInteger(o.bodyLimit) || (o.bodyLimit as number) < 256)
  ) {
    throw new TypeError('phoneproof: `bodyLimit` must be an integer number of bytes (>= 256).');
  }
  if (
    o.deviceIdHeader !== undefined &&
    (typeof o.deviceIdHeader !== 'string' || !/^[a-z0-9-]{1,64}$/.test(o.deviceIdHeader))
  ) {
    throw new TypeError('phoneproof: `deviceIdHeader` must be a lower-case header name.');
  }
  const exempt = (o.signatures as { exempt?: unknown } | undefined)?.exempt;
  if (
    exempt !== undefined &&
    (!Array.isArray(exempt) || exempt.some((x) => !OPERATIONS.includes(x as Operation)))
  ) {
    throw new TypeError(
      `phoneproof: \`signatures.exempt\` lists operations: ${OPERATIONS.join(', ')}.`,
    );
  }
}
