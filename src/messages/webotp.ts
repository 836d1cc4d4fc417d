/**
 * Origin-bound one-time codes (WICG "sms-one-time-codes", used by the WebOTP API and Safari
 * autofill) and the Android SMS Retriever app hash. The message's last line reads
 * `@example.com #123456`, optionally followed by ` %embedded.example` (a code for an iframe)
 * and by the 11-character app hash, which the SMS Retriever API requires at the end of the
 * message. The specification ignores trailing text on the last line, so both work at once.
 * @module
 */

export interface WebOtpOptions {
  /** The site's host, without scheme or port, e.g. `example.com`. */
  readonly domain: string;
  /** Host of a cross-origin iframe that will read the code, if any. */
  readonly embeddedDomain?: string;
  /** Android SMS Retriever app hash (11 characters of base64), if any. */
  readonly appHash?: string;
}

const HOST =
  /^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const APP_HASH = /^[A-Za-z0-9+/]{11}$/;

/** Throws (misconfiguration) when a host or the app hash is malformed. */
export function validateWebOtp(options: WebOtpOptions): void {
  if (typeof options.domain !== 'string' || !HOST.test(options.domain)) {
    throw new TypeError(
      `phoneproof: webOtp.domain must be a host name such as "example.com" (no scheme, port or path), got ${JSON.stringify(options.domain)}.`,
    );
  }
  if (options.embeddedDomain !== undefined && !HOST.test(options.embeddedDomain)) {
    throw new TypeError('phoneproof: webOtp.embeddedDomain must be a host name.');
  }
  if (options.appHash !== undefined && !APP_HASH.test(options.appHash)) {
    throw new TypeError('phoneproof: webOtp.appHash must be the 11-character SMS Retriever hash.');
  }
}

/** The last line: `@domain #code[ %embedded][ appHash]`. */
export function originBoundLine(code: string, options: WebOtpOptions): string {
  let line = `@${options.domain} #${code}`;
  if (options.embeddedDomain) line += ` %${options.embeddedDomain}`;
  if (options.appHash) line += ` ${options.appHash}`;
  return line;
}

/** Appends the origin-bound line after a blank line. */
export function withOriginBoundCode(text: string, code: string, options: WebOtpOptions): string {
  return `${text.replace(/\s+$/u, '')}\n\n${originBoundLine(code, options)}`;
}

/** A parsed origin-bound one-time code. */
export interface OriginBoundCode {
  readonly topLevelHost: string;
  readonly code: string;
  readonly embeddedHost: string | null;
}

const ASCII_WS = /[\t\n\f\r ]/;

/**
 * Parses a message as the specification's "parse an origin-bound one-time code message"
 * algorithm does (what a browser will extract), or returns `undefined` on failure.
 */
export function parseOriginBoundCode(message: string): OriginBoundCode | undefined {
  const normalized = message.replace(/\r\n/g, '\n').replace(/\r/g, '\n');
  const line = normalized.split('\n').at(-1) ?? '';
  let pos = 0;
  const token = (marker: string): string | undefined => {
    if (line[pos] !== marker) return undefined;
    pos += 1;
    const start = pos;
    while (pos < line.length && !ASCII_WS.test(line[pos]!)) pos += 1;
    return pos > start ? line.slice(start, pos) : undefined;
  };
  const host = token('@');
  if (host === undefined || line[pos] !== ' ') return undefined;
  pos += 1;
  const code = token('#');
  if (code === undefined) return undefined;
  let embeddedHost: string | null = null;
  if (line[pos] === ' ') {
    pos += 1;
    embeddedHost = token('%') ?? null;
  }
  return { topLevelHost: host, code, embeddedHost };
}
