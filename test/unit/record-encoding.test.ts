/**
 * How a phone record is stored: JSON, with the masked number in an ASCII form (`*` for each
 * hidden digit) so that the record stays a one-byte string, and shown with `•` again.
 */
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { decodeState, emptyState, encodeState, type PhoneState } from '../../src/core/state';
import { keyring, phoneKey } from '../../src/secrets';
import { outboxSender } from '../../src/senders/outbox';
import { createVerifier } from '../../src/verifier/create';

const secret = 'record-encoding-secret-0123456789abcdef';

const withTo = (to: string): PhoneState => ({
  ...emptyState,
  verifications: [
    {
      id: 'i'.repeat(54),
      purpose: 'verify',
      channel: 'sms',
      digest: 'd'.repeat(43),
      to,
      sealed: 's'.repeat(54),
      createdAt: 1,
      expiresAt: 2,
      checks: 0,
      sends: 1,
      lastSendAt: 1,
      status: 'pending',
      closedAt: 0,
    },
  ],
});

describe('record encoding', () => {
  it('stores hidden digits as *, all ASCII, and decodes them back to •', () => {
    const state = withTo('+44 •••• ••••23');
    const raw = encodeState(state);
    expect(raw).toContain('"to":"+44 **** ****23"');
    expect([...raw].every((c) => c.charCodeAt(0) < 128)).toBe(true);
    expect(decodeState(raw)).toEqual(state);
    // The state given to encode is not changed.
    expect(state.verifications[0]!.to).toBe('+44 •••• ••••23');
  });

  it('reads records written with • as before', () => {
    const state = withTo('+1 ••• ••• ••53');
    expect(decodeState(JSON.stringify(state))).toEqual(state);
  });

  it('the verifier writes ASCII records and shows • in results and status', async () => {
    const store = memoryStore();
    const v = createVerifier({ secret, store, sender: outboxSender(), abuse: false });
    const s = (await v.start({ phone: '+12133734253' }))._unsafeUnwrap();
    expect(s.to).toBe('+1 ••• ••• ••53');
    const raw = (await store.get(`phone:${phoneKey(keyring(secret), '+12133734253')}`))!;
    expect([...raw].every((c) => c.charCodeAt(0) < 128)).toBe(true);
    expect((await v.status({ id: s.id }))._unsafeUnwrap().to).toBe(s.to);
  });
});
