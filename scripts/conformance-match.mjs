/**
 * The conformance check's assertions (`scripts/conformance.mjs`), plain JavaScript with no
 * runtime's assertion module: `match` compares a value with what is wanted, exactly.
 */

/** Matchers for the values a run cannot fix in advance. */
export const ID = (v) => typeof v === 'string' && /^[A-Za-z0-9_-]{70}$/.test(v);
export const JWT = (v) => typeof v === 'string' && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(v);
export const TEXT = (v) => typeof v === 'string' && v.length > 0;

/** `want` is a value, a predicate, or an object/array of those; keys must match exactly. */
export function match(got, want, path) {
  if (typeof want === 'function') {
    if (!want(got))
      throw new Error(`${path}: ${JSON.stringify(got)} fails ${want.name || 'check'}`);
    return;
  }
  if (want === null || typeof want !== 'object') {
    if (got !== want)
      throw new Error(`${path}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    return;
  }
  if (got === null || typeof got !== 'object' || Array.isArray(got) !== Array.isArray(want)) {
    throw new Error(
      `${path}: got ${JSON.stringify(got)}, want ${Array.isArray(want) ? 'an array' : 'an object'}`,
    );
  }
  const gotKeys = Object.keys(got).sort().join();
  const wantKeys = Object.keys(want).sort().join();
  if (gotKeys !== wantKeys) throw new Error(`${path}: keys [${gotKeys}], want [${wantKeys}]`);
  for (const k of Object.keys(want)) match(got[k], want[k], `${path}.${k}`);
}

/** The error body every refusal has. */
export const refusal = (code, extra = {}) => ({ error: { code, message: TEXT, ...extra } });

/** A `Result` of the verifier's own API (neverthrow), as a plain value to match. */
export const settled = async (resultAsync) => {
  const r = await resultAsync;
  return r.isOk() ? { ok: r.value } : { err: { code: r.error.code } };
};
