/**
 * Test kit for the HTTP suites: a verifier on a controllable clock, an outbox, a memory
 * store, and small request helpers that check the error-shape invariants on every call.
 */
import { expect } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { createVerifier } from '../../src/index';
import type { Store } from '../../src/ports/store';
import { outboxSender } from '../../src/senders/outbox';
import type { VerifierEvent, VerifierOptions } from '../../src/verifier/types';

export const PHONE = '+12133734253';
export const PHONE2 = '+14155552671';
export const SECRET = 'http-suite-secret-http-suite-secret!!';

export function makeKit(extra: Partial<VerifierOptions> = {}) {
  const clock = { now: Date.UTC(2030, 0, 1) };
  const now = () => clock.now;
  const store: Store & { size(): number } = memoryStore({ now });
  const outbox = outboxSender();
  const events: VerifierEvent[] = [];
  const verifier = createVerifier({
    secret: SECRET,
    store,
    sender: outbox,
    now,
    onEvent: (e) => void events.push(e),
    ...extra,
  });
  return { clock, now, store, outbox, events, verifier };
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON of any shape
  readonly json: any;
}

export async function call(
  url: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<Reply> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  let body = rest.body;
  if (json !== undefined) {
    body = JSON.stringify(json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const res = await fetch(url, { ...rest, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const reply = { status: res.status, headers: res.headers, text, json: parsed };
  checkInvariants(reply);
  return reply;
}

/** Every response: no full phone number; errors are `{ error: { code, message } }` with
 * Retry-After exactly when `retryAfter` is given. */
export function checkInvariants(r: Reply, phones: readonly string[] = [PHONE, PHONE2]): void {
  for (const p of phones) {
    expect(r.text).not.toContain(p);
    expect(r.text).not.toContain(p.slice(1));
  }
  if (r.status >= 400 && typeof r.json?.error === 'object' && r.json.error !== null) {
    const e = r.json.error;
    expect(typeof e.code).toBe('string');
    expect(typeof e.message).toBe('string');
    if (e.retryAfter !== undefined) {
      expect(r.headers.get('retry-after')).toBe(String(e.retryAfter));
    } else {
      expect(r.headers.get('retry-after')).toBeNull();
    }
  }
}

export function expectError(r: Reply, status: number, code: string): void {
  expect({ status: r.status, code: r.json?.error?.code }).toEqual({ status, code });
}
