/**
 * Content-type rules shared by the adapters: bodies are `application/json`, in UTF-8 (a
 * `charset` parameter, when present, must say so); the inbound-SMS webhook also takes
 * `application/x-www-form-urlencoded`. Anything else is 415. @internal
 * @module
 */

const JSON_TYPE = /^\s*application\/json\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

const FORM_TYPE = /^\s*application\/x-www-form-urlencoded\s*(?:;|$)/i;

const utf8 = (contentType: string) => {
  const charset = CHARSET.exec(contentType)?.[1]?.toLowerCase();
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
};

/** True for an `application/json` content type whose charset (if any) is UTF-8. */
export function isJsonUtf8(contentType: unknown): boolean {
  return typeof contentType === 'string' && JSON_TYPE.test(contentType) && utf8(contentType);
}

/**
 * True for `application/x-www-form-urlencoded` in UTF-8: accepted by the inbound-SMS
 * webhook only (providers post their webhooks as forms).
 */
export function isFormUtf8(contentType: unknown): boolean {
  return typeof contentType === 'string' && FORM_TYPE.test(contentType) && utf8(contentType);
}
