/**
 * ASP.NET Web API's content negotiation between its JSON and XML formatters, for the
 * example that answers both (003): the best `Accept` match (by quality, JSON first on a
 * tie); without a usable `Accept`, the request's own content type; else JSON.
 * @module
 */

export type Format = 'json' | 'xml';

const TYPES: Readonly<Record<string, Format>> = {
  'application/json': 'json',
  'text/json': 'json',
  'application/xml': 'xml',
  'text/xml': 'xml',
};

/** The media type of a `Content-Type` or an `Accept` range, lower-cased, without parameters. */
export const mediaType = (value: string | undefined): string =>
  (value ?? '').split(';')[0]!.trim().toLowerCase();

function fromAccept(accept: string): Format | undefined {
  let best: { format: Format; q: number } | undefined;
  for (const range of accept.split(',').slice(0, 32)) {
    const format = TYPES[mediaType(range)];
    if (format === undefined) continue;
    const q = Number(/;\s*q=([0-9.]+)/i.exec(range)?.[1] ?? '1');
    if (!(q > 0)) continue;
    if (!best || q > best.q || (q === best.q && format === 'json' && best.format !== 'json')) {
      best = { format, q };
    }
  }
  return best?.format;
}

/** The format to answer in. */
export function negotiate(accept: string | undefined, contentType: string | undefined): Format {
  return fromAccept(accept ?? '') ?? TYPES[mediaType(contentType)] ?? 'json';
}

/** The content type to answer with: the request's XML type when it sent one. */
export function answerType(format: Format, accept: string | undefined): string {
  if (format === 'json') return 'application/json; charset=utf-8';
  const textXml =
    /(^|,)\s*text\/xml/i.test(accept ?? '') && !/application\/xml/i.test(accept ?? '');
  return textXml ? 'text/xml; charset=utf-8' : 'application/xml; charset=utf-8';
}
