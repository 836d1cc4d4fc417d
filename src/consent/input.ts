/**
 * Validation of consent inputs from untrusted callers. Never throws. @internal
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';
import { channelOf } from '../feature/input';
import type { RequestContext } from '../feature/operation-types';
import type { Channel } from '../ports/sender';

/** Longest consent text accepted, in characters. */
export const MAX_CONSENT_TEXT = 10_000;
const SOURCE = /^[A-Za-z0-9_.:-]{1,64}$/;
const VERSION = /^[A-Za-z0-9_.:+-]{1,64}$/;

const bad = (message: string): Result<never, VerifyError> =>
  err(verifyError('invalid_request', { message }));

/** A consent version: 1-64 letters, digits or `_.:+-`, or a non-negative integer. */
export function versionOf(x: unknown, name = 'version'): Result<string, VerifyError> {
  if (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0) return ok(String(x));
  if (typeof x === 'string' && VERSION.test(x)) return ok(x);
  return bad(`\`${name}\` must be a non-negative integer or 1-64 letters, digits or _.:+-`);
}

/** U+0000 cannot be stored by every ledger (PostgreSQL text) and is never real consent text. */
const hasNul = (s: string) => s.includes('\u0000');

export function textOf(x: unknown, name = 'text'): Result<string, VerifyError> {
  if (typeof x === 'string' && x.trim().length > 0 && x.length <= MAX_CONSENT_TEXT && !hasNul(x)) {
    return ok(x);
  }
  return bad(`\`${name}\` must be the consent text shown, 1-${MAX_CONSENT_TEXT} characters.`);
}

export function sourceOf(x: unknown, name = 'source'): Result<string, VerifyError> {
  if (x === undefined) return ok('api');
  if (typeof x === 'string' && SOURCE.test(x)) return ok(x);
  return bad(`\`${name}\` must be 1-64 letters, digits or _.:- (e.g. "web_form").`);
}

function optionalString(
  x: unknown,
  name: string,
  max: number,
): Result<string | undefined, VerifyError> {
  if (x === undefined) return ok(undefined);
  if (typeof x === 'string' && x.length <= max && !hasNul(x)) return ok(x);
  return bad(`\`${name}\` must be a string of at most ${max} characters, without U+0000.`);
}

/** A validated opt-in, before it is checked against the configured text. */
export interface GivenConsent {
  readonly text: string;
  readonly version: string;
  readonly source: string;
  /** The channel it was given for, when named (the `start`'s channel for one given with it). */
  readonly channel?: Channel;
  readonly ip?: string;
  readonly userAgent?: string;
}

/**
 * Reads an opt-in from `o` (the `consent` field of `start`, or the `record` input itself);
 * `ip` and `userAgent` default to the request context's.
 */
export function givenOf(
  o: unknown,
  context: RequestContext | undefined,
  prefix = '',
): Result<GivenConsent, VerifyError> {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    return bad(
      `\`${prefix.slice(0, -1) || 'consent'}\` must be an object { text, version, source }.`,
    );
  }
  const c = o as Record<string, unknown>;
  const ip = c.ip ?? (typeof context?.ip === 'string' ? context.ip : undefined);
  const ua =
    c.userAgent ?? (typeof context?.userAgent === 'string' ? context.userAgent : undefined);
  return textOf(c.text, `${prefix}text`).andThen((text) =>
    versionOf(c.version, `${prefix}version`).andThen((version) =>
      sourceOf(c.source, `${prefix}source`).andThen((source) =>
        channelOf(c.channel, undefined).andThen((channel) =>
          optionalString(ip, `${prefix}ip`, 100).andThen((ipv) =>
            optionalString(ua, `${prefix}userAgent`, 1_000).map(
              (uav): GivenConsent => ({
                text,
                version,
                source,
                ...(channel !== undefined ? { channel } : {}),
                ...(ipv !== undefined ? { ip: ipv } : {}),
                ...(uav !== undefined ? { userAgent: uav } : {}),
              }),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * Checks an opt-in against the configured consent: same version, and exactly the text
 * configured for it. Without a configured consent anything valid is recorded verbatim.
 */
export function matchesRequired(
  given: GivenConsent,
  required: { readonly version: string; readonly text: string } | undefined,
): Result<GivenConsent, VerifyError> {
  if (!required) return ok(given);
  if (given.version !== required.version) {
    return bad(
      `Consent version "${given.version}" is not the current version ("${required.version}"): show the current consent text.`,
    );
  }
  if (given.text !== required.text) {
    return bad(
      `The consent text differs from the text configured for version "${required.version}"; it was not recorded.`,
    );
  }
  return ok(given);
}
