/**
 * A small reference model of the verifier's policy under the default settings, written
 * plainly and independently of `src/core`, for model-based tests.
 */
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const LIMITS = {
  ttl: 10 * MIN,
  maxChecks: 5,
  maxSends: 5,
  windows: [
    [HOUR, 5],
    [DAY, 10],
  ] as const,
  lockThreshold: 3,
  retention: 10 * MIN,
  forget: DAY,
  maxKept: 10,
};

export type Status = 'pending' | 'approved' | 'canceled' | 'expired' | 'failed';

export interface MVerification {
  id: string;
  purpose: string;
  code: string;
  status: Status;
  checks: number;
  sends: number;
  lastSendAt: number;
  expiresAt: number;
  closedAt: number;
}

export interface MPhone {
  sends: number[];
  failures: number;
  locks: number;
  lockedUntil: number;
  lastFailureAt: number;
  list: MVerification[];
}

/** What the model expects an operation to return. */
export type Expect =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; code: string; retryAfter?: number; attemptsLeft?: number };

const refuse = (
  code: string,
  extra: { retryAfter?: number; attemptsLeft?: number } = {},
): Expect => ({
  ok: false,
  code,
  ...extra,
});
const secs = (until: number, now: number) => Math.max(1, Math.ceil((until - now) / 1000));
export const cooldown = (sends: number) => Math.min(5 * MIN, 30 * SEC * 2 ** (sends - 1));
const lockLength = (n: number) => Math.min(DAY, 15 * MIN * 2 ** (n - 1));

export function newPhone(): MPhone {
  return { sends: [], failures: 0, locks: 0, lockedUntil: 0, lastFailureAt: 0, list: [] };
}

function fail(p: MPhone, at: number): void {
  p.failures += 1;
  p.lastFailureAt = at;
  if (p.failures >= LIMITS.lockThreshold) {
    p.locks += 1;
    p.lockedUntil = Math.max(p.lockedUntil, at + lockLength(p.locks));
    p.failures = 0;
  }
}

function close(p: MPhone, v: MVerification, status: Status, at: number): void {
  v.status = status;
  v.closedAt = at;
  if (v.checks > 0) fail(p, at);
}

export function settle(p: MPhone, now: number): void {
  for (const v of p.list)
    if (v.status === 'pending' && v.expiresAt <= now) close(p, v, 'expired', v.expiresAt);
  if (p.lockedUntil !== 0 && p.lockedUntil <= now) p.lockedUntil = 0;
  if (
    p.lockedUntil === 0 &&
    (p.failures > 0 || p.locks > 0) &&
    p.lastFailureAt + LIMITS.forget <= now
  ) {
    p.failures = 0;
    p.locks = 0;
    p.lastFailureAt = 0;
  }
  p.sends = p.sends.filter((t) => t > now - DAY);
  p.list = p.list.filter((v) => v.status === 'pending' || v.closedAt + LIMITS.retention > now);
  let excess = p.list.length - LIMITS.maxKept;
  p.list = p.list.filter((v) => {
    if (excess > 0 && v.status !== 'pending') {
      excess -= 1;
      return false;
    }
    return true;
  });
}

function windowFull(p: MPhone, now: number): number | undefined {
  let at: number | undefined;
  for (const [len, max] of LIMITS.windows) {
    const inside = p.sends.filter((t) => t > now - len);
    if (inside.length >= max) at = Math.max(at ?? 0, inside[inside.length - max]! + len);
  }
  return at;
}

function closedRefusal(v: MVerification | undefined): Expect | undefined {
  if (!v) return refuse('not_found');
  if (v.status === 'expired') return refuse('expired');
  if (v.status === 'failed') return refuse('max_attempts_reached', { attemptsLeft: 0 });
  if (v.status !== 'pending') return refuse('not_found');
  return undefined;
}

export function start(p: MPhone, now: number, purpose: string, id: string, code: string): Expect {
  settle(p, now);
  if (p.lockedUntil > now) return refuse('locked', { retryAfter: secs(p.lockedUntil, now) });
  const full = windowFull(p, now);
  if (full !== undefined) return refuse('send_limit_reached', { retryAfter: secs(full, now) });
  for (const v of p.list)
    if (v.status === 'pending' && v.purpose === purpose) close(p, v, 'canceled', now);
  if (p.lockedUntil > now) return refuse('locked', { retryAfter: secs(p.lockedUntil, now) });
  const v: MVerification = {
    id,
    purpose,
    code,
    status: 'pending',
    checks: 0,
    sends: 1,
    lastSendAt: now,
    expiresAt: now + LIMITS.ttl,
    closedAt: 0,
  };
  p.list.push(v);
  p.sends.push(now);
  return {
    ok: true,
    value: { expiresAt: v.expiresAt, sendsLeft: 4, resendAvailableAt: now + cooldown(1) },
  };
}

export function resend(p: MPhone, now: number, id: string, code: string): Expect {
  settle(p, now);
  const v = p.list.find((x) => x.id === id);
  const closed = closedRefusal(v);
  if (closed || !v) return closed!;
  if (p.lockedUntil > now) return refuse('locked', { retryAfter: secs(p.lockedUntil, now) });
  if (v.sends >= LIMITS.maxSends) return refuse('send_limit_reached');
  const availableAt = v.lastSendAt + cooldown(v.sends);
  if (now < availableAt) return refuse('resend_too_soon', { retryAfter: secs(availableAt, now) });
  const full = windowFull(p, now);
  if (full !== undefined) return refuse('send_limit_reached', { retryAfter: secs(full, now) });
  v.code = code;
  v.sends += 1;
  v.lastSendAt = now;
  v.expiresAt = now + LIMITS.ttl;
  p.sends.push(now);
  return {
    ok: true,
    value: {
      expiresAt: v.expiresAt,
      sendsLeft: LIMITS.maxSends - v.sends,
      resendAvailableAt: now + cooldown(v.sends),
    },
  };
}

/** Which verification a check by phone and purpose reaches. */
export function targetOf(p: MPhone, purpose: string): MVerification | undefined {
  const same = p.list.filter((v) => v.purpose === purpose);
  return same.find((v) => v.status === 'pending') ?? same[same.length - 1];
}

export function check(
  p: MPhone,
  now: number,
  target: MVerification | undefined,
  code: string,
): Expect {
  const closed = closedRefusal(target);
  if (closed || !target) return closed!;
  if (p.lockedUntil > now) return refuse('locked', { retryAfter: secs(p.lockedUntil, now) });
  target.checks += 1;
  if (code === target.code) {
    target.status = 'approved';
    target.closedAt = now;
    p.failures = 0;
    p.locks = 0;
    p.lastFailureAt = 0;
    return { ok: true, value: { status: 'approved', purpose: target.purpose } };
  }
  const attemptsLeft = LIMITS.maxChecks - target.checks;
  if (attemptsLeft === 0) close(p, target, 'failed', now);
  return refuse('code_mismatch', { attemptsLeft });
}

export function cancel(p: MPhone, now: number, id: string): Expect {
  settle(p, now);
  const v = p.list.find((x) => x.id === id);
  if (!v) return refuse('not_found');
  if (v.status === 'pending') close(p, v, 'canceled', now);
  return { ok: true, value: { status: v.status } };
}

export function status(p: MPhone, now: number, id: string): Expect {
  settle(p, now);
  const v = p.list.find((x) => x.id === id);
  if (!v) return refuse('not_found');
  const pending = v.status === 'pending';
  return {
    ok: true,
    value: {
      status: v.status,
      attemptsLeft: pending ? LIMITS.maxChecks - v.checks : 0,
      sendsLeft: pending ? LIMITS.maxSends - v.sends : 0,
      expiresAt: v.expiresAt,
      failedVerifications: p.failures,
      lockedUntil: p.lockedUntil > now ? p.lockedUntil : null,
    },
  };
}
