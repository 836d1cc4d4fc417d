/**
 * Content-type rules shared by the adapters: bodies are `application/json`, in UTF-8 (a
 * `charset` parameter, when present, must say so). Anything else is 415. @internal
 * @module
 */

const JSON_TYPE = /^\s*application\/json\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/** True for an `application/json` content type whose charset (if any) is UTF-8. */
export function isJsonUtf8(contentType: unknown): boolean {
  if (typeof contentType !== 'string' || !JSON_TYPE.test(contentType)) return false;
  const charset = CHARSET.exec(contentType)?.[1]?.toLowerCase();
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}
