/**
 * The examples' smoke check, over real HTTP with `fetch` only: start, a wrong code, the
 * right code, status, a HEAD, an unknown route. Throws on the first surprise. @module
 */
import type { outbox as Outbox } from './verifier';

/** How the check reaches the server: `fetch` over HTTP, or an app's in-process `request`. */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response> | Response;

async function send(fetch: Fetch, url: string, method: string, body?: unknown) {
  const init: RequestInit =
    body === undefined
      ? { method }
      : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

function expectStatus(step: string, got: number, want: number): void {
  if (got !== want) throw new Error(`smoke: ${step} answered ${got}, expected ${want}`);
}

/** Runs the check against `base` (e.g. `http://127.0.0.1:8787/verify`); returns the steps. */
export async function smoke(
  base: string,
  outbox: typeof Outbox,
  fetch: Fetch = globalThis.fetch,
): Promise<string[]> {
  const started = await send(fetch, `${base}/verifications`, 'POST', { phone: '+12133734253' });
  expectStatus('start', started.status, 201);
  const id = started.json.id as string;
  const wrong = await send(fetch, `${base}/verifications/${id}/check`, 'POST', { code: '000000' });
  expectStatus('wrong code', wrong.status, 400);
  const code = outbox.last()?.code;
  const right = await send(fetch, `${base}/verifications/${id}/check`, 'POST', { code });
  expectStatus('right code', right.status, 200);
  const status = await send(fetch, `${base}/verifications/${id}`, 'GET');
  expectStatus('status', status.status, 200);
  expectStatus(
    'HEAD',
    (await fetch(`${base}/verifications/${id}`, { method: 'HEAD' })).status,
    200,
  );
  expectStatus('unknown route', (await send(fetch, `${base}/nowhere`, 'GET')).status, 404);
  return ['start 201', 'wrong code 400', 'right code 200', 'status 200', 'HEAD 200', '404'];
}
