/** Codes and phone numbers never appear in plaintext in the store. */
import { describe, expect, it } from 'vitest';
import { PHONE, setup, wrong } from '../support/setup';

const PHONE_FORMS = [
  '+12133734253',
  '12133734253',
  '2133734253',
  '213-373-4253',
  '213 373 4253',
  '(213) 373-4253',
  '373-4253',
  '3734253',
];

function strings(x: unknown): string[] {
  if (typeof x === 'string') return [x];
  if (Array.isArray(x)) return x.flatMap(strings);
  if (x && typeof x === 'object') return Object.entries(x).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

describe('at rest', () => {
  it('no code and no phone number in any format is stored, in keys or values', async () => {
    const t = setup({ policy: { resendCooldownMs: 0 } });
    const codes: string[] = [];
    const s = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    codes.push(t.code());
    await t.verifier.check({ id: s.id, code: wrong(t.code()) });
    await t.verifier.resend({ id: s.id });
    codes.push(t.code());
    const s2 = (await t.verifier.start({ phone: PHONE, purpose: 'login' }))._unsafeUnwrap();
    codes.push(t.code());
    await t.verifier.check({ id: s2.id, code: t.code() });
    const entries = t.store.entries();
    expect(entries.length).toBeGreaterThan(0);
    for (const [key, value] of entries) {
      const texts = [key, ...strings(JSON.parse(value))];
      for (const text of texts) {
        for (const form of PHONE_FORMS) expect(text).not.toContain(form);
        for (const code of codes) expect(text).not.toContain(code);
        expect(text.replace(/\D/g, '')).not.toContain('2133734253');
      }
    }
  });

  it('the stored digest is an HMAC bound to the verification (not a bare hash of the code)', async () => {
    const { createHash } = await import('node:crypto');
    const t = setup();
    await t.verifier.start({ phone: PHONE });
    const value = t.store.entries().find(([k]) => k.startsWith('phone:'))![1];
    const digest = JSON.parse(value).verifications[0].digest as string;
    const bare = [
      createHash('sha256').update(t.code()).digest('base64url'),
      createHash('sha256').update(t.code()).digest('hex'),
    ];
    expect(bare).not.toContain(digest);
    expect(digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
