/** The second-factor routes of the HTTP adapters: POST /totp/verify and /totp/recover. */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { totp } from '../../src/totp/index';
import { fromBase32, totpAtStep } from '../../src/totp/otp';
import { FRAMEWORKS } from '../registry';
import type { Mount } from './servers';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function serve(mount: Mount) {
  const clock = { now: 1_700_000_010_000 };
  const verifier = createVerifier({
    secret: 's'.repeat(40),
    store: memoryStore({ now: () => clock.now }),
    sender: outboxSender(),
    now: () => clock.now,
    totp: totp({ qr: false }),
  });
  const running = await mount(verifier, {}, { prefix: '/v' });
  closers.push(() => running.close());
  const base = running.base;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      json: (await res.json()) as Record<string, unknown> & { error?: { code: string } },
    };
  };
  return { verifier, clock, post };
}

describe.each(FRAMEWORKS)('%s: second-factor routes', (_name, mount) => {
  it('verify a challenge with an authenticator code, then with a recovery code', async () => {
    const { verifier, clock, post } = await serve(mount);
    const e = (await verifier.totp.enroll({ subject: 'bo' }))._unsafeUnwrap();
    const secret = fromBase32(e.secret)!;
    const code = () =>
      totpAtStep(secret, Math.floor(clock.now / 30_000), {
        algorithm: 'sha1',
        digits: 6,
        period: 30,
      });
    const { recoveryCodes } = (
      await verifier.totp.confirm({ subject: 'bo', token: code() })
    )._unsafeUnwrap();
    clock.now += 30_000;
    const ch = (await verifier.totp.challenge({ subject: 'bo', purpose: 'login' }))._unsafeUnwrap();
    const wrong = await post('/totp/verify', {
      id: ch.id,
      token: '000000' === code() ? '111111' : '000000',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error?.code).toBe('invalid_token');
    const ok = await post('/totp/verify', { id: ch.id, token: code(), subject: 'someone-else' });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: 'approved', purpose: 'login', method: 'totp' });
    expect(ok.json).not.toHaveProperty('subject');
    const p = await verifier.verifyProof(ok.json.proof as string, {
      purpose: 'login',
      subject: 'bo',
    });
    expect(p.isOk()).toBe(true);
    // A client cannot name a subject: without a challenge id the body is refused.
    expect((await post('/totp/verify', { subject: 'bo', token: code() })).status).toBe(400);
    clock.now += 1000;
    const ch2 = (
      await verifier.totp.challenge({ subject: 'bo', purpose: 'login' })
    )._unsafeUnwrap();
    const rec = await post('/totp/recover', { id: ch2.id, code: recoveryCodes[0] });
    expect(rec.status).toBe(200);
    expect(rec.json).toMatchObject({ method: 'recovery', recoveryCodesLeft: 9 });
    expect(
      (await post('/totp/recover', { id: 'totp.garbage', code: recoveryCodes[1] })).json.error
        ?.code,
    ).toBe('not_found');
  });
});
