/**
 * What the abuse shield tells the caller and the event listeners: a refusal as the
 * catalog's error (with seconds to wait) and its `abuse.refused` event, and the notices a
 * budget raises (`abuse.budget_warning`, `abuse.paused`). @internal
 * @module
 */
import { secondsUntil, type VerifyError, verifyError } from '../errors';
import type { Publish } from '../feature/events';
import type { RequestContext } from '../feature/operation-types';
import type { AbuseNotice, AbuseRefusal } from './records';

/** Who a refusal concerns, for its event. */
export interface RefusalMeta {
  readonly to?: string;
  readonly context: RequestContext | undefined;
  readonly silent: boolean;
}

/** A refusal as the catalog's error; publishes `abuse.refused` unless `silent`. */
export function refusedError(
  publish: Publish,
  r: AbuseRefusal,
  at: number,
  meta: RefusalMeta,
): VerifyError {
  const e = verifyError(r.code, {
    scope: r.scope,
    ...(r.retryAt !== undefined && Number.isFinite(r.retryAt)
      ? { retryAfter: secondsUntil(r.retryAt, at) }
      : {}),
  });
  if (!meta.silent) {
    publish({
      type: 'abuse.refused',
      at,
      code: e.code,
      scope: r.scope,
      ...(e.retryAfter !== undefined ? { retryAfter: e.retryAfter } : {}),
      ...(meta.to !== undefined ? { to: meta.to } : {}),
      ...(meta.context ? { context: meta.context } : {}),
    });
  }
  return e;
}

/** Publishes a budget's notice. */
export function publishNotice(
  publish: Publish,
  n: AbuseNotice,
  at: number,
  to: string | undefined,
): void {
  if (n.type === 'budget_warning') {
    publish({ type: 'abuse.budget_warning', at, unit: n.unit, used: n.used, limit: n.limit });
  } else {
    const { scope, until, sends, approvals } = n;
    publish({ type: 'abuse.paused', at, scope, until, sends, approvals, ...(to ? { to } : {}) });
  }
}
