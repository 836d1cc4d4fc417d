/**
 * Abuse records written as JSON: `recordJson` gives `JSON.stringify`'s text, written by hand
 * for the records every start and approval rewrites (prefix and conversion records). @internal
 * @module
 */
import type { AbuseRecord, ConversionRecord, RequesterRecord } from './record-kinds';
import type { Buckets, DistinctLog } from './window';

/** A tag as JSON: tags are base64url (no escaping), anything else goes through JSON. */
const tagJson = (t: string) => (/^[\w-]*$/.test(t) ? `"${t}"` : JSON.stringify(t));

/** A number as JSON (as `JSON.stringify` writes it: non-finite numbers become `null`). */
const numJson = (n: number) => (Number.isFinite(n) ? String(n) : 'null');

function logJson(d: DistinctLog): string {
  let out = '[';
  for (let i = 0; i < d.length; i += 1) {
    const [t, at] = d[i]!;
    out += `${i === 0 ? '' : ','}[${tagJson(t)},${numJson(at)}]`;
  }
  return `${out}]`;
}

const CONV_KEYS = ['v', 'k', 'b', 'until', 'pauses', 'trippedAt'];

/** A conversion record with our fields only, in the order `recordJson` writes them. */
export function convKeysInOrder(r: ConversionRecord): boolean {
  const keys = Object.keys(r);
  const n =
    6 + (r.d === undefined ? 0 : 1) + (r.u === undefined ? 0 : 1) + (r.ex === undefined ? 0 : 1);
  if (keys.length !== n) return false;
  for (let i = 0; i < 6; i += 1) if (keys[i] !== CONV_KEYS[i]) return false;
  let i = 6;
  if (r.d !== undefined && keys[i++] !== 'd') return false;
  if (r.u !== undefined && keys[i++] !== 'u') return false;
  return r.ex === undefined || keys[i] === 'ex';
}

function bucketListsJson(lists: readonly Buckets[]): string {
  let out = '[';
  for (let i = 0; i < lists.length; i += 1) {
    const b = lists[i]!;
    out += i === 0 ? '[' : ',[';
    for (let j = 0; j < b.length; j += 1) {
      const [s, n] = b[j]!;
      out += `${j === 0 ? '' : ','}[${numJson(s)},${numJson(n)}]`;
    }
    out += ']';
  }
  return `${out}]`;
}

const REQ_KEYS = ['v', 'k', 'd', 's', 'c'];

/** A requester record with our fields only, in the order `recordJson` writes them. */
export function reqKeysInOrder(r: RequesterRecord): boolean {
  let i = 0;
  for (const k in r) if (k !== REQ_KEYS[i++]) return false;
  return i === 5;
}

/**
 * `JSON.stringify(record)`, the same text, written by hand for the records every start,
 * check and approval rewrites (the requester, prefix and conversion records): about twice
 * as fast. Other records, or a record with fields of its own (never written by this module),
 * go through JSON.
 */
export function recordJson(r: AbuseRecord): string {
  if (r.k === 'req' && reqKeysInOrder(r)) {
    return (
      `{"v":${numJson(r.v)},"k":"req","d":${logJson(r.d)},` +
      `"s":${bucketListsJson(r.s)},"c":${bucketListsJson(r.c)}}`
    );
  }
  if (r.k === 'pfx' && Object.keys(r).length === 3) {
    return `{"v":${numJson(r.v)},"k":"pfx","d":${logJson(r.d)}}`;
  }
  if (r.k === 'conv' && convKeysInOrder(r)) {
    let b = '[';
    for (let i = 0; i < r.b.length; i += 1) {
      const [s, n, a] = r.b[i]!;
      b += `${i === 0 ? '' : ','}[${numJson(s)},${numJson(n)},${numJson(a)}]`;
    }
    return (
      `{"v":${numJson(r.v)},"k":"conv","b":${b}],"until":${numJson(r.until)},` +
      `"pauses":${numJson(r.pauses)},"trippedAt":${numJson(r.trippedAt)}` +
      `${r.d === undefined ? '' : `,"d":${logJson(r.d)}`}` +
      `${r.u === undefined ? '' : `,"u":${logJson(r.u)}`}` +
      `${r.ex === undefined ? '' : `,"ex":[${r.ex.map(tagJson).join(',')}]`}}`
    );
  }
  return JSON.stringify(r);
}
