/** Enrollment lifecycle: secret, URI and QR; pending until confirmed; disable; at rest; rotation. */
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { totp } from '../../src/totp/index';
import { app, enrolled, SECRET, SUBJECT, totpSetup } from './support';

describe('enroll', () => {
  it('returns a base32 secret, an otpauth URI and an SVG QR code', async () => {
    const t = totpSetup({ appName: 'Acme Bank' });
    const e = (
      await t.verifier.totp.enroll({ subject: SUBJECT, accountName: 'ana@example.com' })
    )._unsafeUnwrap();
    expect(e.secret).toMatch(/^[A-Z2-7]{32}$/); // 20 random bytes
    const uri = new URL(e.uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Acme Bank:ana@example.com');
    expect(uri.searchParams.get('secret')).toBe(e.secret);
    expect(uri.searchParams.get('issuer')).toBe('Acme Bank');
    expect(e.qr).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(e).toMatchObject({
      algorithm: 'sha1',
      digits: 6,
      period: 30,
      expiresAt: t.clock.now + 15 * 60_000,
    });
  });

  it('draws the secret from the injected random source', async () => {
    const t = totpSetup({
      randomBytes: (n) => new Uint8Array(n).fill(0xff),
      totp: totp({ qr: false }),
    });
    const e = (await t.verifier.totp.enroll({ subject: SUBJECT }))._unsafeUnwrap();
    expect(e.secret).toBe('7'.repeat(32));
  });

  it('renders a PNG data URL, a custom renderer, or nothing', async () => {
    const png = totpSetup({ totp: totp({ qr: 'dataUrl' }) });
    expect((await png.verifier.totp.enroll({ subject: SUBJECT }))._unsafeUnwrap().qr).toMatch(
      /^data:image\/png;base64,/,
    );
    const custom = totpSetup({ totp: totp({ qr: (uri) => `QR(${uri.length})` }) });
    expect((await custom.verifier.totp.enroll({ subject: SUBJECT }))._unsafeUnwrap().qr).toMatch(
      /^QR\(\d+\)$/,
    );
    const none = totpSetup({ totp: totp({ qr: false }) });
    expect(
      (await none.verifier.totp.enroll({ subject: SUBJECT }))._unsafeUnwrap(),
    ).not.toHaveProperty('qr');
  });

  it('a failing QR renderer fails the enrollment and writes nothing', async () => {
    const t = totpSetup({
      totp: totp({
        qr: () => {
          throw new Error('boom');
        },
      }),
    });
    const r = await t.verifier.totp.enroll({ subject: SUBJECT });
    expect(r._unsafeUnwrapErr().code).toBe('qr_unavailable');
    expect(t.store.size()).toBe(0);
  });

  it('is pending until a first valid code confirms it, then verifies', async () => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    const e = (await t.verifier.totp.enroll({ subject: SUBJECT }))._unsafeUnwrap();
    const a = app(e.secret, t.clock);
    expect((await t.verifier.totp.status({ subject: SUBJECT }))._unsafeUnwrap().status).toBe(
      'pending',
    );
    expect(
      (await t.verifier.totp.verify({ subject: SUBJECT, token: a.code() }))._unsafeUnwrapErr().code,
    ).toBe('totp_not_enrolled');
    const c = (
      await t.verifier.totp.confirm({ subject: SUBJECT, token: a.code() })
    )._unsafeUnwrap();
    expect(c).toMatchObject({ status: 'active', subject: SUBJECT, confirmedAt: t.clock.now });
    expect((await t.verifier.totp.status({ subject: SUBJECT }))._unsafeUnwrap()).toMatchObject({
      status: 'active',
      recoveryCodesLeft: 10,
    });
    t.advance(30_000);
    expect((await t.verifier.totp.verify({ subject: SUBJECT, token: a.code() })).isOk()).toBe(true);
  });

  it('a pending enrollment lapses after enrollmentTtlMs', async () => {
    const t = totpSetup({ totp: totp({ qr: false, enrollmentTtlMs: 60_000 }) });
    const e = (await t.verifier.totp.enroll({ subject: SUBJECT }))._unsafeUnwrap();
    t.advance(60_000);
    const a = app(e.secret, t.clock);
    expect(
      (await t.verifier.totp.confirm({ subject: SUBJECT, token: a.code() }))._unsafeUnwrapErr()
        .code,
    ).toBe('totp_not_enrolled');
    expect(t.store.size()).toBe(0);
  });

  it('refuses a second enrollment while one is active; disable removes it', async () => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    const { app: a } = await enrolled(t);
    expect((await t.verifier.totp.enroll({ subject: SUBJECT }))._unsafeUnwrapErr().code).toBe(
      'totp_already_enrolled',
    );
    expect((await t.verifier.totp.disable({ subject: SUBJECT }))._unsafeUnwrap()).toEqual({
      disabled: true,
    });
    expect((await t.verifier.totp.disable({ subject: SUBJECT }))._unsafeUnwrap()).toEqual({
      disabled: false,
    });
    t.advance(30_000);
    expect(
      (await t.verifier.totp.verify({ subject: SUBJECT, token: a.code() }))._unsafeUnwrapErr().code,
    ).toBe('totp_not_enrolled');
    expect((await t.verifier.totp.enroll({ subject: SUBJECT })).isOk()).toBe(true);
  });

  it('re-enrolling while pending replaces the pending secret', async () => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    const first = (await t.verifier.totp.enroll({ subject: SUBJECT }))._unsafeUnwrap();
    const second = (await t.verifier.totp.enroll({ subject: SUBJECT }))._unsafeUnwrap();
    expect(second.secret).not.toBe(first.secret);
    const old = app(first.secret, t.clock);
    expect((await t.verifier.totp.confirm({ subject: SUBJECT, token: old.code() })).isErr()).toBe(
      true,
    );
    const fresh = app(second.secret, t.clock);
    expect((await t.verifier.totp.confirm({ subject: SUBJECT, token: fresh.code() })).isOk()).toBe(
      true,
    );
  });

  it('validates input without throwing', async () => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    const bad = [
      null,
      {},
      { subject: '' },
      { subject: 'x'.repeat(257) },
      { subject: SUBJECT, accountName: 'a:b' },
      { subject: SUBJECT, secret: 'not base32!' },
      { subject: SUBJECT, secret: 'JBSWY3DPEHPK3PXP' }, // 10 bytes: too short
    ];
    for (const input of bad) {
      // @ts-expect-error deliberately malformed
      expect((await t.verifier.totp.enroll(input))._unsafeUnwrapErr().code).toBe('invalid_request');
    }
    for (const token of ['12345', '123456789', 'abcdef', 123456, undefined]) {
      // @ts-expect-error deliberately malformed
      const r = await t.verifier.totp.verify({ subject: SUBJECT, token });
      expect(r._unsafeUnwrapErr().code).toBe('invalid_request');
    }
  });

  it('throws at construction on invalid options', () => {
    const base = { secret: SECRET, store: totpSetup().store, sender: outboxSender() };
    expect(() => createVerifier({ ...base, totp: totp({ digits: 5 }) })).toThrow(/totp\.digits/);
    expect(() => createVerifier({ ...base, totp: totp({ period: 0 }) })).toThrow(/totp\.period/);
    // @ts-expect-error invalid algorithm
    expect(() => createVerifier({ ...base, totp: totp({ algorithm: 'md5' }) })).toThrow(
      /totp\.algorithm/,
    );
    expect(() => createVerifier({ ...base, totp: totp({ tolerance: { past: -1 } }) })).toThrow(
      /tolerance\.past/,
    );
  });
});

function strings(x: unknown): string[] {
  if (typeof x === 'string') return [x];
  if (Array.isArray(x)) return x.flatMap(strings);
  if (x && typeof x === 'object') return Object.entries(x).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

describe('at rest', () => {
  it('stores neither the secret, the subject nor a recovery code', async () => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    const { enrollment, recoveryCodes } = await enrolled(t);
    const rawSecretHex = Buffer.from(enrollment.secret).toString('hex');
    for (const [key, value] of t.store.entries()) {
      for (const text of [key, ...strings(JSON.parse(value))]) {
        expect(text).not.toContain(enrollment.secret);
        expect(text.toLowerCase()).not.toContain(rawSecretHex);
        expect(text).not.toContain(SUBJECT);
        expect(text).not.toContain('user-42');
        for (const c of recoveryCodes) {
          expect(text).not.toContain(c);
          expect(text).not.toContain(c.replace('-', ''));
        }
      }
    }
  });
});

describe('secret rotation', () => {
  it('a secret sealed under an old key is re-sealed under the current one on the next success', async () => {
    const OLD = SECRET;
    const NEW = 'rotated-secret-rotated-secret-rotated-01';
    const t = totpSetup({ totp: totp({ qr: false }) });
    const { app: a } = await enrolled(t);
    const base = {
      store: t.store,
      sender: outboxSender(),
      now: () => t.clock.now,
      totp: totp({ qr: false }),
    };
    // Only the new key (store keys still derived from the old one): the old seal cannot be opened.
    const onlyNew = createVerifier({ ...base, secret: NEW, lookupSecret: OLD });
    t.advance(30_000);
    expect(
      (await onlyNew.totp.verify({ subject: SUBJECT, token: a.code() }))._unsafeUnwrapErr().code,
    ).toBe('store_corrupt');
    // Rotation: new key first, old key still accepted; a success re-seals.
    const rotating = createVerifier({ ...base, secret: [NEW, OLD] });
    expect((await rotating.totp.verify({ subject: SUBJECT, token: a.code() })).isOk()).toBe(true);
    t.advance(30_000);
    const after = await onlyNew.totp.verify({ subject: SUBJECT, token: a.code() });
    expect(after.isOk() ? after.value.status : after.error).toBe('approved');
  });
});

describe('a stored enrollment outside the allowed parameters', () => {
  /** Rewrites the subject's enrollment record with `patch` (the only totp record in the store). */
  async function tamper(t: ReturnType<typeof totpSetup>, patch: Record<string, unknown>) {
    const records = t.store.entries().filter(([, v]) => v.includes('"enrollment"'));
    expect(records).toHaveLength(1);
    const [key] = records[0]!;
    await t.store.update(key, (current) => {
      const s = JSON.parse(current!);
      return {
        result: undefined,
        write: {
          value: JSON.stringify({ ...s, enrollment: { ...s.enrollment, ...patch } }),
          ttlMs: 86_400_000,
        },
      };
    });
  }

  it.each([
    { digits: 9 },
    { digits: 5 },
    { digits: 6.5 },
    { period: 0 },
    { period: 14 },
    { period: 301 },
    { period: 30.5 },
  ])('%o is a corrupt record, not an unavailable store', async (patch) => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    const { app: a } = await enrolled(t);
    await tamper(t, patch);
    t.advance(30_000);
    const r = await t.verifier.totp.verify({ subject: SUBJECT, token: a.code() });
    expect(r._unsafeUnwrapErr().code).toBe('store_corrupt');
  });

  it.each([
    { digits: 8, period: 30 },
    { digits: 6, period: 300 },
    { digits: 7, period: 15 },
  ])('%o at the bounds still decodes and checks codes with those parameters', async (p) => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    const { enrollment } = await enrolled(t);
    await tamper(t, { ...p, lastStep: -1 });
    const a = app(enrollment.secret, t.clock, { algorithm: 'sha1', ...p });
    const r = await t.verifier.totp.verify({ subject: SUBJECT, token: a.code() });
    expect(r.isOk() ? r.value.status : r.error.code).toBe('approved');
  });
});
