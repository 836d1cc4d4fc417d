/**
 * The HTTP surface shared by every framework adapter: one route table, so the Express
 * router and the Fastify plugin expose the very same routes. @internal
 * @module
 */

/** What a route does: one verifier operation, or the consent webhook. */
export type Operation =
  | 'start'
  | 'check'
  | 'resend'
  | 'status'
  | 'cancel'
  | 'inbound'
  | 'totp_verify'
  | 'totp_recover';

export interface RouteSpec {
  readonly operation: Operation;
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Path relative to the mount point, `:id` style (Express and Fastify both read it). */
  readonly path: string;
  /** Status of a success. */
  readonly status: number;
  /** True when the route reads a JSON body. */
  readonly body: boolean;
  /** True when the route exists only when the verifier has consent configured. */
  readonly consentOnly?: boolean;
}

export const routeTable: readonly RouteSpec[] = [
  { operation: 'start', method: 'POST', path: '/verifications', status: 201, body: true },
  {
    operation: 'check',
    method: 'POST',
    path: '/verifications/:id/check',
    status: 200,
    body: true,
  },
  {
    operation: 'resend',
    method: 'POST',
    path: '/verifications/:id/resend',
    status: 200,
    body: true,
  },
  { operation: 'status', method: 'GET', path: '/verifications/:id', status: 200, body: false },
  { operation: 'cancel', method: 'DELETE', path: '/verifications/:id', status: 200, body: false },
  { operation: 'totp_verify', method: 'POST', path: '/totp/verify', status: 200, body: true },
  { operation: 'totp_recover', method: 'POST', path: '/totp/recover', status: 200, body: true },
  {
    operation: 'inbound',
    method: 'POST',
    path: '/inbound-sms',
    status: 200,
    body: true,
    consentOnly: true,
  },
];

/** Default largest JSON body, in bytes. */
export const DEFAULT_BODY_LIMIT = 16 * 1024;
