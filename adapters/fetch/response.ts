/**
 * The one `HttpResponse` → Web `Response` builder of the Web-standard handlers (the fetch
 * handler and the WhatsApp webhook handler): a JSON body, `application/json; charset=utf-8`,
 * the response's own headers, and no body for a HEAD request. @internal
 * @module
 */
import type { HttpResponse } from '../../src/http/errors';

const JSON_TYPE = 'application/json; charset=utf-8';

/** `r` as a `Response`; `head`: answer a HEAD request (headers only). */
export function toResponse(r: HttpResponse, head = false): Response {
  const headers = new Headers(r.headers);
  headers.set('content-type', JSON_TYPE);
  return new Response(head ? null : JSON.stringify(r.body), { status: r.status, headers });
}
