/**
 * Properties of the WhatsApp pieces: the webhook signature accepts exactly the signed bytes
 * under the right secret; the template table always answers a locale once it holds the
 * default, preferring the exact locale, then its language; the webhook parser never throws
 * and reports only what Meta's statuses say, with a well-formed ref or none.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  validateWhatsAppSignature,
  whatsappSignature,
} from '../../src/delivery/whatsapp-signature';
import { parseWhatsAppWebhook } from '../../src/delivery/whatsapp-status';
import { templatePicker } from '../../src/delivery/whatsapp-templates';

const fail = (m: string): never => {
  throw new TypeError(m);
};

describe('X-Hub-Signature-256', () => {
  test.prop([fc.uint8Array({ minLength: 0, maxLength: 256 }), fc.string({ minLength: 1 })])(
    'the signature of a body validates it under its secret',
    (body, secret) => {
      const signature = whatsappSignature(secret, body);
      expect(validateWhatsAppSignature({ appSecret: secret, signature, body })).toBe(true);
    },
  );

  test.prop([
    fc.uint8Array({ minLength: 1, maxLength: 256 }),
    fc.nat(),
    fc.integer({ min: 1, max: 255 }),
    fc.string({ minLength: 1 }),
  ])('changing any byte of the body invalidates it', (body, at, delta, secret) => {
    const signature = whatsappSignature(secret, body);
    const altered = Uint8Array.from(body);
    const i = at % altered.length;
    altered[i] = (altered[i]! + delta) % 256;
    expect(validateWhatsAppSignature({ appSecret: secret, signature, body: altered })).toBe(false);
  });

  test.prop([fc.string(), fc.string({ minLength: 1 }), fc.string({ minLength: 1 })])(
    'another secret does not validate it',
    (body, secret, other) => {
      fc.pre(secret !== other);
      const signature = whatsappSignature(secret, body);
      expect(validateWhatsAppSignature({ appSecret: other, signature, body })).toBe(false);
    },
  );
});

describe('templates per locale', () => {
  const locale = fc.stringMatching(/^[a-z]{2,3}(-[A-Z]{2})?$/);
  test.prop([
    fc.dictionary(locale, fc.string({ minLength: 1 })),
    locale,
    fc.string({ minLength: 1 }),
  ])(
    'with the default present, every locale gets a template: its own, its language, or the default',
    (table, asked, fallback) => {
      const pick = templatePicker({ ...table, en: fallback }, 'en', () => undefined, fail);
      const own = { ...table, en: fallback } as Record<string, string>;
      const language = asked.split('-')[0]!;
      const expected = own[asked] ?? own[language] ?? fallback;
      expect(pick(asked)).toBe(expected);
    },
  );
});

describe('parseWhatsAppWebhook', () => {
  const status = fc.record({
    id: fc.string({ minLength: 1, maxLength: 40 }),
    status: fc.constantFrom('sent', 'delivered', 'read', 'failed', 'deleted', 'warning'),
    biz_opaque_callback_data: fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
    recipient_id: fc.option(fc.stringMatching(/^\d{1,16}$/), { nil: undefined }),
    errors: fc.option(fc.array(fc.record({ code: fc.integer() }), { maxLength: 2 }), {
      nil: undefined,
    }),
  });
  test.prop([fc.array(status, { maxLength: 5 }), fc.anything()])(
    'never throws; one report per known status, a ref only when well formed',
    (statuses, noise) => {
      const body = {
        object: 'whatsapp_business_account',
        entry: [{ changes: [{ field: 'messages', value: { statuses, noise } }] }],
      };
      const r = parseWhatsAppWebhook(JSON.parse(JSON.stringify(body)))._unsafeUnwrap();
      const known = statuses.filter((s) => s.status !== 'deleted' && s.status !== 'warning');
      expect(r.reports).toHaveLength(known.length);
      for (const report of r.reports) {
        if (report.ref !== undefined) expect(report.ref).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
        expect(report.state === 'failed').toBe(report.error !== undefined);
      }
      expect(() => parseWhatsAppWebhook(noise)).not.toThrow();
    },
  );
});
