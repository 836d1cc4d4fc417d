/**
 * Hole 3, one key for every sealed kind. An app lets users pick their username, the subject
 * of their second factor. An attacker registers a username that is itself a challenge body
 * naming the victim (with issue and expiry times of their choosing), passes their own second
 * factor, and reads the proof token they get: its sealed subject, prefixed with `totp.`, was
 * a challenge for the victim, skipping the victim's password step. Over real sockets on both
 * framework adapters; then every pair of sealed kinds, and challenge times the server never
 * issues.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { createVerifier } from '../../src/index';
import type { Store } from '../../src/ports/store';
import { subjectKey } from '../../src/proof/subject';
import {
  hmac,
  keyring,
  phoneKey,
  SEAL_KINDS,
  type SealKind,
  seal,
  sealBytes,
  subkey,
  unseal,
  unsealBytes,
} from '../../src/secrets';
import { outboxSender } from '../../src/senders/outbox';
import { openChallenge, sealChallenge } from '../../src/totp/challenge';
import { totp } from '../../src/totp/index';
import { fromBase32, totpAtStep } from '../../src/totp/otp';
import { openId } from '../../src/verifier/ids';
import type { Running } from '../http/servers';
import { FRAMEWORKS, MEMORY_ONLY } from './support';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const T0 = 1_700_000_010_000;

async function app(mount: (typeof FRAMEWORKS)[number][1], kind: (typeof MEMORY_ONLY)[number]) {
  const clock = { now: T0 };
  const s = await kind.make(() => clock.now);
  closers.push(() => s.close());
  const verifier = createVerifier({
    secret: 'k'.repeat(40),
    store: s.store,
    sender: outboxSender(),
    now: () => clock.now,
    totp: totp({ qr: false }),
  });
  const running: Running = await mount(verifier, { authorize: () => true, now: () => clock.now });
  closers.push(() => running.close());
  const post = async (path: string, body: unknown) => {
    const res = await fetch(running.base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: JSON of any shape
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  /** Enrolls and confirms `subject` (the app does this after the user signs in). */
  const enroll = async (subject: string) => {
    const e = (await verifier.totp.enroll({ subject, accountName: 'user' }))._unsafeUnwrap();
    const bytes = fromBase32(e.secret)!;
    const code = () =>
      totpAtStep(bytes, Math.floor(clock.now / 30_000), {
        algorithm: 'sha1',
        digits: 6,
        period: 30,
      });
    const c = await verifier.totp.confirm({ subject, token: code() });
    if (c.isErr()) throw new Error(JSON.stringify(c.error));
    return code;
  };
  return { verifier, clock, post, enroll };
}

/** Every string claim of a JWS payload. */
function claims(token: string): string[] {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
  return Object.values(payload).filter((v): v is string => typeof v === 'string');
}

describe.each(FRAMEWORKS)('%s: a sealed subject replayed as a challenge', (_name, mount) => {
  it.each(MEMORY_ONLY.map((k) => [k.name, k] as const))(
    'an attacker-chosen username never opens as a challenge for the victim (%s)',
    async (_store, kind) => {
      const { clock, post, enroll, verifier } = await app(mount, kind);
      const victimCode = await enroll('victim');
      // The username: a challenge body naming the victim, valid for years.
      const username = JSON.stringify({
        t: 'phoneproof.totp-challenge',
        s: 'victim',
        p: 'login',
        n: 'attacker',
        i: T0 + 60_000,
        e: T0 + 10 * 365 * 86_400_000,
      });
      const attackerCode = await enroll(username);
      clock.now += 30_000;
      // The attacker signs in with their own password; the app issues their challenge.
      const own = (
        await verifier.totp.challenge({ subject: username, purpose: 'login' })
      )._unsafeUnwrap();
      const passed = await post('/totp/verify', { id: own.id, token: attackerCode() });
      expect(passed.status).toBe(200);
      const proof = passed.json.proof as string;
      expect(typeof proof).toBe('string');
      // Every string the proof carries, tried as the victim's challenge with the victim's code
      // (phished): the password step must not be skippable.
      clock.now += 30_000;
      const candidates = claims(proof);
      expect(candidates.length).toBeGreaterThan(3);
      for (const c of candidates) {
        for (const id of [`totp.${c}`, c]) {
          const r = await post('/totp/verify', { id, token: victimCode() });
          expect(r.status, `${id} opened`).not.toBe(200);
          if (id.startsWith('totp.')) expect(r.json.error?.code).toBe('not_found');
        }
      }
      // A genuine challenge for the victim still works.
      const real = (
        await verifier.totp.challenge({ subject: 'victim', purpose: 'login' })
      )._unsafeUnwrap();
      expect((await post('/totp/verify', { id: real.id, token: victimCode() })).status).toBe(200);
    },
  );
});

describe('sealed kinds', () => {
  const ring = keyring(['a'.repeat(40), 'b'.repeat(40)]);
  const iv = () => new Uint8Array(12).map(() => Math.floor(Math.random() * 256));

  it('a blob of each kind never opens as any other kind (every pair), and opens as its own', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 200 }), (text) => {
        for (const a of SEAL_KINDS) {
          const blob = seal(ring, a, text, iv());
          for (const b of SEAL_KINDS) {
            for (const legacy of [false, true]) {
              const opened = unseal(ring, b, blob, { legacy });
              if (a === b) expect(opened).toBe(text);
              else expect(opened, `${a} opened as ${b}`).toBeUndefined();
            }
          }
        }
      }),
      { numRuns: 50 },
    );
  });

  it('a blob sealed under an older secret of the ring opens as its own kind only', () => {
    const old = keyring('b'.repeat(40));
    for (const a of SEAL_KINDS) {
      const blob = sealBytes(old, a, Buffer.from('x'.repeat(24)), iv());
      for (const b of SEAL_KINDS) {
        const opened = unsealBytes(ring, b, blob);
        if (a === b) expect(opened?.toString()).toBe('x'.repeat(24));
        else expect(opened).toBeUndefined();
      }
    }
  });

  it('the 0.1.0 format (one key, no authenticated data) opens only as a stored number or TOTP secret, and only from the store', () => {
    const { createCipheriv } = require('node:crypto') as typeof import('node:crypto');
    const legacy = (text: string) => {
      const v = iv();
      const c = createCipheriv('aes-256-gcm', subkey(ring.all[0]!, 'seal'), v);
      const ct = Buffer.concat([c.update(text, 'utf8'), c.final()]);
      return Buffer.concat([v, c.getAuthTag(), ct]).toString('base64url');
    };
    const blob = legacy('+12133734253');
    const atRest: readonly SealKind[] = ['phone-number', 'totp-secret'];
    for (const k of SEAL_KINDS) {
      expect(unseal(ring, k, blob)).toBeUndefined();
      expect(unseal(ring, k, blob, { legacy: true })).toBe(
        atRest.includes(k) ? '+12133734253' : undefined,
      );
    }
    // A 0.1.0 sealed challenge body (the attack's token) is not a challenge any more.
    const body = JSON.stringify({
      t: 'phoneproof.totp-challenge',
      s: 'victim',
      p: 'login',
      n: 'n',
      i: T0,
      e: T0 + 60_000,
    });
    expect(openChallenge(ring, `totp.${legacy(body)}`, T0, 300_000).isErr()).toBe(true);
  });

  it('no other kind opens as a verification id or a challenge', () => {
    const pkey = hmac(ring.lookup, 'phone', '+12133734253').slice(0, 32);
    for (const k of SEAL_KINDS) {
      const blob = sealBytes(ring, k, Buffer.from(pkey, 'base64url'), iv());
      expect(openId(ring, blob).isOk()).toBe(k === 'verification-id');
      const body = JSON.stringify({
        t: 'phoneproof.totp-challenge',
        s: 'victim',
        p: 'login',
        n: 'n',
        i: T0,
        e: T0 + 60_000,
      });
      expect(openChallenge(ring, `totp.${seal(ring, k, body, iv())}`, T0, 300_000).isOk()).toBe(
        k === 'totp-challenge',
      );
    }
  });

  it("a challenge's times are bounded by the server's clock and its TTL", () => {
    const ttl = 300_000;
    const open = (issuedAt: number, expiresAt: number) =>
      openChallenge(
        ring,
        sealChallenge(
          ring,
          { subject: 's', purpose: 'login', nonce: 'n', issuedAt, expiresAt },
          iv(),
        ),
        T0,
        ttl,
      );
    expect(open(T0, T0 + ttl).isOk()).toBe(true);
    expect(open(T0 - 1000, T0 + ttl - 1000).isOk()).toBe(true);
    // Living longer than the TTL, issued in the future, expiring before it was issued.
    expect(open(T0, T0 + ttl + 1)._unsafeUnwrapErr().code).toBe('not_found');
    expect(open(T0 + 10 * 60_000, T0 + 11 * 60_000)._unsafeUnwrapErr().code).toBe('not_found');
    expect(open(T0, T0)._unsafeUnwrapErr().code).toBe('not_found');
    expect(open(T0 - ttl, T0)._unsafeUnwrapErr().code).toBe('expired');
  });
});

describe('upgrade from 0.1.0 and rotation', () => {
  const SECRET = 'u'.repeat(40);
  const { createCipheriv } = require('node:crypto') as typeof import('node:crypto');
  /** A value sealed as 0.1.0 did: one key for every kind, no authenticated data. */
  const legacy = (secret: string, text: string) => {
    const v = new Uint8Array(12).fill(7);
    const c = createCipheriv('aes-256-gcm', subkey(Buffer.from(secret), 'seal'), v);
    const ct = Buffer.concat([c.update(text, 'utf8'), c.final()]);
    return Buffer.concat([v, c.getAuthTag(), ct]).toString('base64url');
  };
  /** Replaces every `"sealed":"…"` of a stored record. */
  const rewrite = async (store: Store, key: string, sealed: string) => {
    await store.update(key, (raw) => ({
      result: undefined,
      write: { value: raw!.replace(/"sealed":"[^"]*"/g, `"sealed":"${sealed}"`), ttlMs: 60_000 },
    }));
  };

  it('a stored number and a TOTP secret sealed by 0.1.0 still open; the TOTP secret is re-sealed', async () => {
    const clock = { now: T0 };
    const store = memoryStore({ now: () => clock.now });
    const outbox = outboxSender();
    const v = createVerifier({
      secret: SECRET,
      store,
      sender: outbox,
      now: () => clock.now,
      totp: totp({ qr: false }),
    });
    const ring = keyring(SECRET);
    // A pending phone verification whose number was sealed by 0.1.0.
    const s = (await v.start({ phone: '+12133734253' }))._unsafeUnwrap();
    await rewrite(store, `phone:${phoneKey(ring, '+12133734253')}`, legacy(SECRET, '+12133734253'));
    const c = (await v.check({ id: s.id, code: outbox.last()!.code }))._unsafeUnwrap();
    expect(c.phone).toBe('+12133734253');
    // An authenticator enrollment whose secret was sealed by 0.1.0.
    const e = (await v.totp.enroll({ subject: 'bo' }))._unsafeUnwrap();
    const code = () =>
      totpAtStep(fromBase32(e.secret)!, Math.floor(clock.now / 30_000), {
        algorithm: 'sha1',
        digits: 6,
        period: 30,
      });
    (await v.totp.confirm({ subject: 'bo', token: code() }))._unsafeUnwrap();
    const key = `totp:${subjectKey(ring, 'bo')}`;
    await rewrite(store, key, legacy(SECRET, e.secret));
    clock.now += 30_000;
    (await v.totp.verify({ subject: 'bo', token: code() }))._unsafeUnwrap();
    const sealed = /"sealed":"([^"]*)"/.exec((await store.get(key))!)![1]!;
    expect(sealed).not.toBe(legacy(SECRET, e.secret));
    expect(unseal(ring, 'totp-secret', sealed)).toBe(e.secret);
  });

  it('ids, challenges and proofs sealed under an older secret still work after a rotation', async () => {
    const clock = { now: T0 };
    const store = memoryStore({ now: () => clock.now });
    const outbox = outboxSender();
    const make = (secret: string | string[]) =>
      createVerifier({
        secret,
        store,
        sender: outbox,
        now: () => clock.now,
        totp: totp({ qr: false }),
      });
    const before = make(SECRET);
    const s = (await before.start({ phone: '+12133734253' }))._unsafeUnwrap();
    const after = make(['n'.repeat(40), SECRET]);
    expect((await after.status({ id: s.id }))._unsafeUnwrap().status).toBe('pending');
    const c = (await after.check({ id: s.id, code: outbox.last()!.code }))._unsafeUnwrap();
    expect(c.status).toBe('approved');
    // A verifier without the old secret does not know the id.
    expect((await make('n'.repeat(40)).status({ id: s.id }))._unsafeUnwrapErr().code).toBe(
      'not_found',
    );
  });
});
