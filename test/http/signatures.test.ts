import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import type { Store } from '../../src/ports/store';
import {
  bodyDigest,
  requestSignatureCheck,
  SIGNATURE_HEADER,
  signRequest,
  TIMESTAMP_HEADER,
  verifyRequestSignature,
} from '../../src/signatures/index';

const SECRET = 'a-system-secret-that-is-32-bytes-long!';
const T = Date.UTC(2030, 0, 1);

function setup(skewMs?: number) {
  const clock = { now: T };
  const store = memoryStore({ now: () => clock.now });
  const check = requestSignatureCheck({
    systems: { crm: SECRET, rotating: ['x'.repeat(32), SECRET] },
    store,
    now: () => clock.now,
    ...(skewMs !== undefined ? { skewMs } : {}),
  });
  const req = (
    over: Partial<{
      method: string;
      path: string;
      body: string;
      systemId: string;
      timestamp: number;
    }> = {},
  ) => {
    const method = over.method ?? 'POST';
    const path = over.path ?? '/verify/verifications';
    const body = over.body ?? '{"phone":"+12133734253"}';
    const headers = signRequest({
      systemId: over.systemId ?? 'crm',
      secret: SECRET,
      method,
      path,
      body,
      timestamp: over.timestamp ?? T,
    });
    return { method, path, body, headers: { ...headers } as Record<string, string> };
  };
  return { clock, store, check, req };
}

describe('signRequest / verifyRequestSignature', () => {
  it('signs deterministically over system, timestamp, method, path and a body digest', () => {
    const a = signRequest({
      systemId: 'crm',
      secret: SECRET,
      method: 'post',
      path: '/p',
      body: 'x',
      timestamp: T,
    });
    const b = signRequest({
      systemId: 'crm',
      secret: SECRET,
      method: 'POST',
      path: '/p',
      body: Buffer.from('x'),
      timestamp: T,
    });
    expect(a).toEqual(b);
    expect(a[SIGNATURE_HEADER]).toMatch(/^v1=[A-Za-z0-9_-]{43}$/);
    expect(a[TIMESTAMP_HEADER]).toBe(String(T));
    for (const change of [
      { path: '/q' },
      { method: 'GET' },
      { body: 'y' },
      { timestamp: T + 1 },
      { systemId: 'crm2' },
    ]) {
      const c = signRequest({
        systemId: 'crm',
        secret: SECRET,
        method: 'POST',
        path: '/p',
        body: 'x',
        timestamp: T,
        ...change,
      });
      expect(c[SIGNATURE_HEADER]).not.toBe(a[SIGNATURE_HEADER]);
    }
    expect(bodyDigest(undefined)).toBe(bodyDigest(''));
  });

  it('accepts a good request once, then refuses its replay', async () => {
    const { check, req } = setup();
    const r = req();
    expect((await check(r))._unsafeUnwrap()).toEqual({ systemId: 'crm', timestamp: T });
    const again = await check(r);
    expect(again._unsafeUnwrapErr()).toMatchObject({
      code: 'signature_invalid',
      message: expect.stringMatching(/replay/),
    });
  });

  it('refuses tampering with body, path, method, timestamp header, or signature', async () => {
    const { check, req } = setup();
    const base = req();
    const cases = [
      { ...base, body: '{"phone":"+14155552671"}' },
      { ...base, path: '/verify/verifications?x=1' },
      { ...base, method: 'PUT' },
      { ...base, headers: { ...base.headers, [TIMESTAMP_HEADER]: String(T + 1) } },
      { ...base, headers: { ...base.headers, [SIGNATURE_HEADER]: `v1=${'A'.repeat(43)}` } },
      { ...base, headers: { ...base.headers, [SIGNATURE_HEADER]: 'v2=abc' } },
      { ...base, headers: { ...base.headers, [TIMESTAMP_HEADER]: '1e12' } },
      { ...base, headers: { ...base.headers, 'x-phoneproof-system': 'unknown' } },
      { ...base, headers: { ...base.headers, 'x-phoneproof-system': '__proto__' } },
      { ...base, headers: {} },
    ];
    for (const c of cases) {
      expect((await check(c))._unsafeUnwrapErr().code).toBe('signature_invalid');
    }
    // None of the refusals consumed the genuine request.
    expect((await check(base)).isOk()).toBe(true);
  });

  it('enforces the skew window both ways (default 5 minutes)', async () => {
    const { check, req } = setup();
    expect((await check(req({ timestamp: T - 300_001 }))).isErr()).toBe(true);
    expect((await check(req({ timestamp: T + 300_001 }))).isErr()).toBe(true);
    expect((await check(req({ timestamp: T - 300_000 }))).isOk()).toBe(true);
    expect((await check(req({ timestamp: T + 299_000 }))).isOk()).toBe(true);
  });

  it('remembers a signature at least until it would be stale anyway', async () => {
    const { check, req, clock } = setup(60_000);
    const r = req();
    expect((await check(r)).isOk()).toBe(true);
    clock.now = T + 59_000;
    expect((await check(r))._unsafeUnwrapErr().message).toMatch(/replay/);
    clock.now = T + 61_000;
    expect((await check(r))._unsafeUnwrapErr().message).toMatch(/window/);
  });

  it('accepts any secret of a rotating list', async () => {
    const { check, req } = setup();
    expect((await check(req({ systemId: 'rotating' }))).isOk()).toBe(true);
  });

  it('fails closed when the replay store is down', async () => {
    const down: Store = {
      update: () => Promise.reject(new Error('down')),
      updateMany: () => Promise.reject(new Error('down')),
      get: () => Promise.reject(new Error('down')),
    };
    const { req } = setup();
    const r = await verifyRequestSignature(req(), {
      systems: { crm: SECRET },
      store: down,
      now: () => T,
    });
    expect(r._unsafeUnwrapErr().code).toBe('store_unavailable');
  });

  it('throws on misconfiguration, once, at construction', () => {
    const store = memoryStore();
    expect(() => requestSignatureCheck({ systems: {}, store })).toThrow(/at least one system/);
    expect(() => requestSignatureCheck({ systems: { a: 'short' }, store })).toThrow(
      /32 are required/,
    );
    expect(() => requestSignatureCheck({ systems: { a: SECRET } } as never)).toThrow(/Store port/);
    expect(() => requestSignatureCheck({ systems: { a: SECRET }, store, skewMs: 10 })).toThrow(
      /skewMs/,
    );
    expect(() => signRequest({ systemId: 'a', secret: 'short', method: 'GET', path: '/' })).toThrow(
      /32/,
    );
  });
});
