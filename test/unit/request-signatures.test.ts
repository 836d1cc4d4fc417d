/**
 * Signed requests without a server: what `signRequest` signs and what the check refuses.
 * Every part of the canonical request is covered by the signature, the timestamp window is
 * exact in both directions, a replay is refused until the signature could no longer be
 * accepted anyway, and misconfiguration throws at construction.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import type { Store } from '../../src/ports/store';
import {
  DEFAULT_SKEW_MS,
  requestSignatureCheck,
  SIGNATURE_HEADER,
  type SignatureOptions,
  type SignedRequest,
  SYSTEM_HEADER,
  signRequest,
  TIMESTAMP_HEADER,
  verifyRequestSignature,
} from '../../src/signatures/index';

const SECRET = 'crm-system-secret-0123456789abcdef!!';
const OTHER = 'other-system-secret-0123456789abcdef';
const T = 1_700_000_000_000;

function clock(start = T) {
  let t = start;
  return { now: () => t, set: (x: number) => (t = x) };
}

function request(
  over: Partial<{ systemId: string; secret: string; method: string; path: string }> & {
    body?: string | Uint8Array | undefined;
    timestamp?: number;
  } = {},
): SignedRequest {
  const method = over.method ?? 'POST';
  const path = over.path ?? '/verify/verifications?x=1';
  const body = 'body' in over ? over.body : '{"phone":"+12133734253"}';
  const headers = signRequest({
    systemId: over.systemId ?? 'crm',
    secret: over.secret ?? SECRET,
    method,
    path,
    ...(body !== undefined ? { body } : {}),
    timestamp: over.timestamp ?? T,
  });
  return { method, path, body, headers: { ...headers } };
}

function checker(options: Partial<SignatureOptions> = {}, c = clock()) {
  const store = memoryStore({ now: c.now });
  return {
    clock: c,
    check: requestSignatureCheck({ systems: { crm: SECRET }, store, now: c.now, ...options }),
  };
}

async function refusal(r: ReturnType<ReturnType<typeof requestSignatureCheck>>) {
  const result = await r;
  expect(result.isErr()).toBe(true);
  const e = result._unsafeUnwrapErr();
  return { code: e.code, message: e.message };
}

describe('signRequest', () => {
  it('sends the system id, the timestamp and a v1 signature', () => {
    const h = signRequest({
      systemId: 'crm',
      secret: SECRET,
      method: 'post',
      path: '/',
      timestamp: 0,
    });
    expect(h[SYSTEM_HEADER]).toBe('crm');
    expect(h[TIMESTAMP_HEADER]).toBe('0');
    expect(h[SIGNATURE_HEADER]).toMatch(/^v1=[A-Za-z0-9_-]{43}$/);
  });

  it('signs the documented canonical text (docs/signed-requests.md), so other languages can', () => {
    const body = '{"phone":"+12133734253"}';
    const h = signRequest({
      systemId: 'crm',
      secret: SECRET,
      method: 'post',
      path: '/v?x=1',
      body,
      timestamp: T,
    });
    const digest = createHash('sha256').update(body).digest('base64url');
    const canonical = ['phoneproof-v1', 'crm', String(T), 'POST', '/v?x=1', digest].join('\n');
    const mac = createHmac('sha256', Buffer.from(SECRET, 'utf8'))
      .update(canonical)
      .digest('base64url');
    expect(h[SIGNATURE_HEADER]).toBe(`v1=${mac}`);
  });

  it('stamps the current time by default', () => {
    const before = Date.now();
    const h = signRequest({ systemId: 'crm', secret: SECRET, method: 'GET', path: '/' });
    const at = Number(h[TIMESTAMP_HEADER]);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('refuses a timestamp that is not a non-negative integer, and a short secret', () => {
    const base = { systemId: 'crm', secret: SECRET, method: 'GET', path: '/' };
    for (const timestamp of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => signRequest({ ...base, timestamp })).toThrow(/epoch milliseconds/);
    }
    expect(() => signRequest({ ...base, secret: 'x'.repeat(31) })).toThrow(
      /"crm" is 31 bytes; at least 32 are required/,
    );
    expect(() => signRequest({ ...base, secret: 'x'.repeat(32) })).not.toThrow();
    expect(() => signRequest({ ...base, secret: new Uint8Array(32) })).not.toThrow();
    expect(() => signRequest({ ...base, secret: 5 as unknown as string })).toThrow(
      /must be a string or bytes/,
    );
  });
});

describe('requestSignatureCheck', () => {
  it('accepts a signed request once and names its caller', async () => {
    const { check } = checker();
    const r = await check(request());
    expect(r._unsafeUnwrap()).toEqual({ systemId: 'crm', timestamp: T });
  });

  it('the one-shot form checks the same way', async () => {
    const c = clock();
    const options = { systems: { crm: SECRET }, store: memoryStore({ now: c.now }), now: c.now };
    expect((await verifyRequestSignature(request(), options)).isOk()).toBe(true);
    expect((await verifyRequestSignature(request({ secret: OTHER }), options)).isErr()).toBe(true);
  });

  it('refuses a change of any signed part', async () => {
    const good = request();
    const changed: SignedRequest[] = [
      { ...good, method: 'PUT' },
      { ...good, path: '/verify/verifications?x=2' },
      { ...good, path: '/verify/verifications' },
      { ...good, body: '{"phone":"+12133734254"}' },
      { ...good, body: undefined },
      { ...good, headers: { ...good.headers, [TIMESTAMP_HEADER]: String(T + 1) } },
    ];
    for (const r of changed) {
      const { check } = checker();
      expect(await refusal(check(r))).toEqual({
        code: 'signature_invalid',
        message: 'The request signature does not match.',
      });
    }
  });

  it('the method is compared upper-case, and no body signs like the empty body', async () => {
    const { check } = checker();
    const lower = request({ method: 'post' });
    expect((await check({ ...lower, method: 'POST' })).isOk()).toBe(true);
    const none = request({ body: undefined, path: '/a' });
    expect((await check({ ...none, body: '' })).isOk()).toBe(true);
    const bytes = request({ body: new TextEncoder().encode('{"a":1}'), path: '/b' });
    expect((await check({ ...bytes, body: '{"a":1}' })).isOk()).toBe(true);
  });

  it('refuses a signature made with another secret, or for another system', async () => {
    const { check } = checker({ systems: { crm: SECRET, billing: OTHER } });
    expect((await refusal(check(request({ secret: OTHER })))).message).toMatch(/does not match/);
    const forBilling = request({ systemId: 'billing', secret: SECRET });
    expect((await refusal(check(forBilling))).message).toMatch(/does not match/);
    const moved = request({ systemId: 'crm' });
    const claimed = { ...moved, headers: { ...moved.headers, [SYSTEM_HEADER]: 'billing' } };
    expect((await refusal(check(claimed))).message).toMatch(/does not match/);
  });

  it('accepts any secret of a rotation list', async () => {
    const { check } = checker({ systems: { crm: [OTHER, SECRET] } });
    expect((await check(request({ secret: SECRET }))).isOk()).toBe(true);
    expect((await check(request({ secret: OTHER }))).isOk()).toBe(true);
  });

  it('refuses an unsigned request: any header missing or repeated', async () => {
    const good = request();
    for (const name of [SYSTEM_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER]) {
      const { check } = checker();
      const missing = { ...good, headers: { ...good.headers, [name]: undefined } };
      expect((await refusal(check(missing))).message).toBe('The request is not signed.');
      const twice = {
        ...good,
        headers: { ...good.headers, [name]: [good.headers[name] as string] },
      };
      expect((await refusal(check(twice))).message).toBe('The request is not signed.');
    }
  });

  it('refuses an unknown system, including names every object has', async () => {
    for (const systemId of ['erp', 'toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      const { check } = checker();
      const r = request({ systemId });
      expect(await refusal(check(r))).toEqual({
        code: 'signature_invalid',
        message: 'Unknown system.',
      });
    }
  });

  it('refuses malformed signature headers', async () => {
    const good = request();
    const sig = good.headers[SIGNATURE_HEADER] as string;
    const bad: Record<string, string>[] = [
      { [TIMESTAMP_HEADER]: `${T}x` },
      { [TIMESTAMP_HEADER]: `x${T}` },
      { [TIMESTAMP_HEADER]: '' },
      { [TIMESTAMP_HEADER]: '1'.repeat(17) },
      { [TIMESTAMP_HEADER]: '-1' },
      { [SIGNATURE_HEADER]: sig.replace('v1=', 'v2=') },
      { [SIGNATURE_HEADER]: `${sig}A` },
      { [SIGNATURE_HEADER]: sig.slice(0, -1) },
      { [SIGNATURE_HEADER]: `x${sig}` },
      { [SIGNATURE_HEADER]: `${sig.slice(0, -1)}=` },
    ];
    for (const h of bad) {
      const { check } = checker();
      const r = { ...good, headers: { ...good.headers, ...h } };
      expect((await refusal(check(r))).message).toBe('The signature headers are malformed.');
    }
  });

  it('accepts a timestamp exactly at the window edge, either way, and refuses one past it', async () => {
    const skewMs = 60_000;
    for (const [stamp, ok] of [
      [T - skewMs, true],
      [T + skewMs, true],
      [T - skewMs - 1, false],
      [T + skewMs + 1, false],
    ] as const) {
      const { check } = checker({ skewMs });
      const r = await check(request({ timestamp: stamp }));
      expect(r.isOk()).toBe(ok);
      if (!ok) expect(r._unsafeUnwrapErr().message).toMatch(/outside the accepted window/);
    }
  });

  it('uses a five-minute window by default', async () => {
    expect(DEFAULT_SKEW_MS).toBe(300_000);
    const { check } = checker();
    expect((await check(request({ timestamp: T - 300_000 }))).isOk()).toBe(true);
    expect((await check(request({ timestamp: T + 300_001 }))).isErr()).toBe(true);
  });

  it('refuses a replay for as long as the signature is inside the window', async () => {
    const skewMs = 60_000;
    const c = clock(T - skewMs);
    const { check } = checker({ skewMs }, c);
    const r = request({ timestamp: T });
    expect((await check(r)).isOk()).toBe(true);
    for (const at of [T - skewMs, T, T + skewMs - 1, T + skewMs]) {
      c.set(at);
      expect(await refusal(check(r))).toEqual({
        code: 'signature_invalid',
        message: 'This request was already received (replay).',
      });
    }
    // A second, different request of the same system is fresh.
    c.set(T);
    expect((await check(request({ timestamp: T, path: '/other' }))).isOk()).toBe(true);
  });

  it('shares the replay memory through the store between instances', async () => {
    const c = clock();
    const store = memoryStore({ now: c.now });
    const one = requestSignatureCheck({ systems: { crm: SECRET }, store, now: c.now });
    const two = requestSignatureCheck({ systems: { crm: SECRET }, store, now: c.now });
    const r = request();
    expect((await one(r)).isOk()).toBe(true);
    expect((await two(r)).isErr()).toBe(true);
  });

  it('fails closed when the store does not answer', async () => {
    const broken: Store = {
      get: async () => {
        throw new Error('down');
      },
      update: async () => {
        throw new Error('down');
      },
    } as unknown as Store;
    const check = requestSignatureCheck({ systems: { crm: SECRET }, store: broken, now: () => T });
    const e = (await check(request()))._unsafeUnwrapErr();
    expect(e.code).toBe('store_unavailable');
    expect((e.cause as Error).message).toBe('down');
  });

  it('throws on misconfiguration at construction', () => {
    const store = memoryStore();
    const build = (o: unknown) => () => requestSignatureCheck(o as SignatureOptions);
    expect(build(undefined)).toThrow(/`signatures` must be an object/);
    expect(build(null)).toThrow(/`signatures` must be an object/);
    expect(build({ store })).toThrow(/name at least one system/);
    expect(build({ systems: null, store })).toThrow(/name at least one system/);
    expect(build({ systems: {}, store })).toThrow(/name at least one system/);
    expect(build({ systems: { crm: SECRET } })).toThrow(/must implement the Store port/);
    expect(build({ systems: { crm: SECRET }, store: {} })).toThrow(/must implement the Store port/);
    expect(build({ systems: { crm: [] }, store })).toThrow(/system "crm" has no secret/);
    expect(build({ systems: { crm: 'short' }, store })).toThrow(/"crm" is 5 bytes/);
    for (const skewMs of [999, 1000.5, Number.NaN, -1]) {
      expect(build({ systems: { crm: SECRET }, store, skewMs })).toThrow(/skewMs/);
    }
    expect(build({ systems: { crm: SECRET }, store, skewMs: 1000 })).not.toThrow();
  });
});
