/**
 * Hole 10, linkable handles and over-sharing. An observer of ids or proof tokens (logs, a
 * shared device, analytics) links every verification of one phone through a stable per-phone
 * component; anyone holding one id reads the phone's failures and lock through the status
 * route; events carry ids, which are bearer handles wherever events are logged. Over real
 * sockets on both framework adapters.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import type { VerifierEvent, VerifierOptions } from '../../src/verifier/types';
import type { AnyOptions, Running } from '../http/servers';
import { FRAMEWORKS, MEMORY_ONLY, STORES } from './support';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const PHONE = '+12133734253';
const OTHER = '+12133734254';

async function app(
  mount: (typeof FRAMEWORKS)[number][1],
  kind: (typeof STORES)[number],
  options: Partial<VerifierOptions> = {},
  http: AnyOptions = {},
) {
  const s = await kind.make();
  closers.push(() => s.close());
  const sender = outboxSender();
  const events: VerifierEvent[] = [];
  const verifier = createVerifier({
    secret: 'h'.repeat(40),
    store: s.store,
    sender,
    onEvent: (e) => {
      events.push(e);
    },
    ...options,
  });
  const running: Running = await mount(verifier, { authorize: () => true, ...http });
  closers.push(() => running.close());
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(running.base + path, {
      method,
      ...(body !== undefined
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
        : {}),
    });
    // biome-ignore lint/suspicious/noExplicitAny: JSON of any shape
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  const start = async (phone: string, purpose = 'verify') => {
    const r = await call('POST', '/verifications', { phone, purpose });
    expect(r.status).toBe(201);
    return { id: r.json.id as string, code: sender.last()!.code };
  };
  return { call, start, events };
}

/** The 8-character substrings `a` and `b` share. */
function shared8(a: string, b: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 8 <= a.length; i += 1) {
    const s = a.slice(i, i + 8);
    if (b.includes(s)) out.push(s);
  }
  return out;
}

/** A proof token's string claims. */
function claimValues(token: string): string[] {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
  return Object.values(payload).filter((v): v is string => typeof v === 'string');
}

function strings(x: unknown): string[] {
  if (typeof x === 'string') return [x];
  if (Array.isArray(x)) return x.flatMap(strings);
  if (x && typeof x === 'object') return Object.values(x).flatMap(strings);
  return [];
}

describe.each(FRAMEWORKS)('%s: linkable handles', (_name, mount) => {
  it.each(STORES.map((k) => [k.name, k] as const))(
    'two ids of one phone share no stable component (%s)',
    async (_store, kind) => {
      if (!(await kind.available())) return;
      const { start } = await app(mount, kind);
      const a = await start(PHONE, 'login');
      const b = await start(PHONE, 'signup');
      expect(a.id).not.toBe(b.id);
      expect(shared8(a.id, b.id)).toEqual([]);
    },
  );

  it.each(MEMORY_ONLY.map((k) => [k.name, k] as const))(
    'two proof tokens of one phone share nothing a token of another phone lacks (%s)',
    async (_store, kind) => {
      const { call, start } = await app(mount, kind);
      const proofOf = async (phone: string) => {
        const v = await start(phone);
        const r = await call('POST', `/verifications/${v.id}/check`, { code: v.code });
        expect(r.status).toBe(200);
        return claimValues(r.json.proof as string);
      };
      const t1 = await proofOf(PHONE);
      const t2 = await proofOf(PHONE);
      const other = await proofOf(OTHER);
      // What two tokens of the phone share is what every token shares (issuer, purpose...).
      const perPhone = t1
        .flatMap((a) => t2.flatMap((b) => shared8(a, b)))
        .filter((s) => !other.some((o) => o.includes(s)));
      expect(perPhone).toEqual([]);
    },
  );

  it.each(MEMORY_ONLY.map((k) => [k.name, k] as const))(
    "the status of one id shows that verification's state, not the phone's failures or lock (%s)",
    async (_store, kind) => {
      const options = { policy: { maxChecks: 1, lockout: { threshold: 1 } } };
      for (const showsPhone of [false, true]) {
        const { call, start } = await app(
          mount,
          kind,
          options,
          showsPhone ? { statusShowsPhone: true } : {},
        );
        const a = await start(PHONE, 'login');
        const b = await start(PHONE, 'signup');
        const wrong = a.code === '000000' ? '111111' : '000000';
        const failed = await call('POST', `/verifications/${a.id}/check`, { code: wrong });
        expect(failed.status).toBeGreaterThanOrEqual(400);
        const status = await call('GET', `/verifications/${b.id}`);
        expect(status.status).toBe(200);
        expect(status.json).toMatchObject({ id: b.id, status: 'pending', purpose: 'signup' });
        if (showsPhone) {
          // The lock reached its threshold (the count restarts with the lock).
          expect(status.json).toHaveProperty('failedVerifications', 0);
          expect(status.json.lockedUntil).toBeGreaterThan(Date.now());
        } else {
          expect(status.json).not.toHaveProperty('failedVerifications');
          expect(status.json).not.toHaveProperty('lockedUntil');
        }
      }
    },
  );

  it.each(MEMORY_ONLY.map((k) => [k.name, k] as const))(
    'no event carries a handle that works on the routes (%s)',
    async (_store, kind) => {
      const { call, start, events } = await app(mount, kind, {
        policy: { resendCooldownMs: 0 },
      });
      const a = await start(PHONE, 'login');
      const b = await start(PHONE, 'signup');
      await call('POST', `/verifications/${a.id}/check`, { code: '000000' });
      await call('POST', `/verifications/${a.id}/resend`, {});
      await call('POST', `/verifications/${b.id}/check`, { code: b.code });
      await call('DELETE', `/verifications/${a.id}`);
      expect(events.length).toBeGreaterThan(4);
      const texts = new Set(events.flatMap(strings));
      for (const t of texts) {
        expect([a.id, b.id]).not.toContain(t);
        expect(shared8(t, a.id)).toEqual([]);
        const r = await call('GET', `/verifications/${encodeURIComponent(t)}`);
        expect(r.status, `${t} worked as an id`).not.toBe(200);
      }
      // Events still name the verification: every event of one verification has one ref.
      const refs = (type: string) =>
        events.filter((e) => e.type === type).map((e) => (e as { ref?: string }).ref);
      const started = refs('verification.started');
      expect(started).toHaveLength(2);
      expect(started[0]).not.toBe(started[1]);
      expect(refs('verification.approved')).toEqual([started[1]]);
      expect(refs('verification.canceled')).toEqual([started[0]]);
    },
  );
});
