/**
 * The abuse defenses' defaults (listed in docs/abuse.md). @internal
 * @module
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const MAX_DURATION = 366 * DAY;

/** The requester key kinds, their `context` field and their store-key label. */
export const requesterKinds = [
  { kind: 'ip', field: 'ip' },
  { kind: 'dev', field: 'deviceId' },
  { kind: 'user', field: 'userId' },
] as const;

export type RequesterField = (typeof requesterKinds)[number]['field'];

/** The defaults: requester budgets, prefix velocity and the conversion guard are on. */
export const abuseDefaults = {
  requesters: {
    ip: {
      destinations: [
        { windowMs: HOUR, max: 30 },
        { windowMs: DAY, max: 100 },
      ],
      sends: [{ windowMs: HOUR, max: 60 }],
      checks: [{ windowMs: HOUR, max: 120 }],
    },
    deviceId: {
      destinations: [
        { windowMs: HOUR, max: 10 },
        { windowMs: DAY, max: 30 },
      ],
      sends: [{ windowMs: HOUR, max: 30 }],
      checks: [{ windowMs: HOUR, max: 60 }],
    },
    userId: {
      destinations: [
        { windowMs: HOUR, max: 10 },
        { windowMs: DAY, max: 30 },
      ],
      sends: [{ windowMs: HOUR, max: 30 }],
      checks: [{ windowMs: HOUR, max: 60 }],
    },
    ipv6PrefixLength: 64,
  },
  prefixes: [
    { trailingDigits: 4, windowMs: HOUR, max: 10 },
    { trailingDigits: 6, windowMs: HOUR, max: 20 },
  ],
  conversion: {
    scopes: ['prefix', 'country'],
    trailingDigits: 6,
    windowMs: DAY,
    threshold: 0.1,
    minSends: { prefix: 15, country: 50 },
    minRequesters: 10,
    graceMs: 5 * MINUTE,
    pauseMs: HOUR,
    pauseFactor: 2,
    maxPauseMs: DAY,
    probes: 3,
  },
  warnAt: 0.8,
} as const;
