/** Without the optional `qrcode` package, enrollment says so (and writes nothing) unless qr is off. */
import { describe, expect, it, vi } from 'vitest';
import { totp } from '../../src/totp/index';
import { SUBJECT, totpSetup } from './support';

vi.mock('qrcode', () => {
  throw new Error("Cannot find module 'qrcode'");
});

describe('qrcode not installed', () => {
  it('enroll fails with qr_unavailable and leaves no record', async () => {
    const t = totpSetup();
    const r = await t.verifier.totp.enroll({ subject: SUBJECT });
    expect(r._unsafeUnwrapErr().code).toBe('qr_unavailable');
    expect(r._unsafeUnwrapErr().message).toMatch(/npm install qrcode/);
    expect(t.store.size()).toBe(0);
  });

  it('enroll works with qr: false', async () => {
    const t = totpSetup({ totp: totp({ qr: false }) });
    const e = (await t.verifier.totp.enroll({ subject: SUBJECT }))._unsafeUnwrap();
    expect(e.uri).toMatch(/^otpauth:\/\/totp\//);
    expect(e).not.toHaveProperty('qr');
  });
});
