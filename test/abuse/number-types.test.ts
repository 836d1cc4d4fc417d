/**
 * Number types with real libphonenumber-js `max` (and `mobile`) metadata, passed by the
 * application; the default bundle stays on `min` metadata.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import maxMetadata from 'libphonenumber-js/metadata.max.json';
import mobileMetadata from 'libphonenumber-js/metadata.mobile.json';
import { describe, expect, it } from 'vitest';
import { setup } from '../support/setup';
import { outcome } from './support';

const PREMIUM_GB = '+449098765432';
const PREMIUM_US = '+19005550123';
const SHARED_COST_FR = '+33810123456';
const LANDLINE_DE = '+4930123456';
const MOBILE_GB = '+447400123456';

describe('number types', () => {
  it('with max metadata, premium-rate and shared-cost numbers are refused before any message', async () => {
    const t = setup({ abuse: { numberTypes: { metadata: maxMetadata } } });
    for (const phone of [PREMIUM_GB, PREMIUM_US, SHARED_COST_FR]) {
      const r = await t.verifier.start({ phone });
      expect(r._unsafeUnwrapErr()).toMatchObject({
        code: 'number_type_not_allowed',
        scope: 'phone',
      });
      expect(r._unsafeUnwrapErr().retryAfter).toBeUndefined();
    }
    expect(t.outbox.messages).toHaveLength(0);
    expect(t.store.size()).toBe(0);
    expect(outcome(await t.verifier.start({ phone: MOBILE_GB }))).toBe('ok');
    expect(outcome(await t.verifier.start({ phone: LANDLINE_DE }))).toBe('ok');
    const refused = t.events.filter((e) => e.type === 'abuse.refused');
    expect(refused).toHaveLength(3);
    expect(refused[0]).toMatchObject({ code: 'number_type_not_allowed', scope: 'phone' });
  });

  it('landlines and VoIP can be refused for SMS only', async () => {
    const t = setup({
      abuse: { numberTypes: { metadata: maxMetadata, denyForSms: ['FIXED_LINE', 'VOIP'] } },
    });
    expect(outcome(await t.verifier.start({ phone: LANDLINE_DE }))).toBe(
      'number_type_not_allowed/phone',
    );
    expect(outcome(await t.verifier.start({ phone: LANDLINE_DE, channel: 'voice' }))).toBe('ok');
    expect(outcome(await t.verifier.start({ phone: MOBILE_GB }))).toBe('ok');
  });

  it('with mobile metadata, SMS can be limited to mobile numbers', async () => {
    const t = setup({
      abuse: { numberTypes: { metadata: mobileMetadata, onlyForSms: ['MOBILE'] } },
    });
    expect(outcome(await t.verifier.start({ phone: MOBILE_GB }))).toBe('ok');
    expect(outcome(await t.verifier.start({ phone: LANDLINE_DE }))).toBe(
      'number_type_not_allowed/phone',
    );
    expect(outcome(await t.verifier.start({ phone: PREMIUM_GB }))).toBe(
      'number_type_not_allowed/phone',
    );
    expect(outcome(await t.verifier.start({ phone: LANDLINE_DE, channel: 'voice' }))).toBe('ok');
  });

  it('a typeOf function can replace metadata', async () => {
    const t = setup({
      abuse: {
        numberTypes: { typeOf: (n) => (n.endsWith('4253') ? 'VOIP' : 'MOBILE'), deny: ['VOIP'] },
      },
    });
    expect(outcome(await t.verifier.start({ phone: '+12133734253' }))).toBe(
      'number_type_not_allowed/phone',
    );
    expect(outcome(await t.verifier.start({ phone: '+12133734254' }))).toBe('ok');
  });

  it('is off by default: the default bundle has no type data and refuses nothing for its type', async () => {
    const t = setup();
    expect(outcome(await t.verifier.start({ phone: PREMIUM_GB }))).toBe('ok');
  });

  it('misconfiguration throws at construction', () => {
    expect(() => setup({ abuse: { numberTypes: {} } })).toThrow(/metadata/);
    expect(() => setup({ abuse: { numberTypes: { metadata: { countries: {} } } } })).toThrow(
      /number types/,
    );
    expect(() =>
      setup({
        abuse: { numberTypes: { metadata: maxMetadata, deny: ['PREMIUM'] as unknown as ['VOIP'] } },
      }),
    ).toThrow(/deny/);
  });

  it('no source file imports max or mobile metadata (the default bundle stays on min)', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(join(__dirname, '../../src'));
    const offenders = files.filter((f) =>
      /^\s*(import|export)\b[^;]*from\s+['"]libphonenumber-js\/(max|mobile|metadata\.(max|mobile|full))/m.test(
        readFileSync(f, 'utf8'),
      ),
    );
    expect(offenders).toEqual([]);
  });
});
