import { describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';

describe('consent input', () => {
  it('refuses U+0000 in consent text and fields as invalid_request, recording nothing', async () => {
    const ledger = memoryConsentLedger();
    const v = createVerifier({
      secret: 'nul-test-secret-nul-test-secret-0001',
      store: memoryStore(),
      sender: outboxSender(),
      consent: consent({ ledger }),
    });
    const r = await v.consent.record({
      phone: '+12133734253',
      text: 'I agree\u0000',
      version: '1',
      source: 'web_form',
    });
    expect(r._unsafeUnwrapErr().code).toBe('invalid_request');
    const ua = await v.consent.record({
      phone: '+12133734253',
      text: 'I agree',
      version: '1',
      source: 'web_form',
      userAgent: 'x\u0000',
    });
    expect(ua._unsafeUnwrapErr().code).toBe('invalid_request');
    expect(
      (await v.consent.history({ phone: '+12133734253' }))._unsafeUnwrap().entries,
    ).toHaveLength(0);
  });
});
