import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { builtinLocales } from '../../src/messages/catalog';
import { defaultRenderer } from '../../src/messages/render';
import { createRenderer } from '../../src/messages/renderer';
import { isGsm7, smsInfo, toGsm7 } from '../../src/messages/sms-encoding';

describe('smsInfo', () => {
  it.each([
    ['', 'GSM-7', 0, 0],
    ['a'.repeat(160), 'GSM-7', 160, 1],
    ['a'.repeat(161), 'GSM-7', 161, 2],
    ['a'.repeat(306), 'GSM-7', 306, 2],
    ['a'.repeat(307), 'GSM-7', 307, 3],
    ['€'.repeat(80), 'GSM-7', 160, 1],
    ['€'.repeat(81), 'GSM-7', 162, 2],
    ['é'.repeat(160), 'GSM-7', 160, 1],
    ['ó'.repeat(70), 'UCS-2', 70, 1],
    ['ó'.repeat(71), 'UCS-2', 71, 2],
    ['ó'.repeat(134), 'UCS-2', 134, 2],
    ['ó'.repeat(135), 'UCS-2', 135, 3],
    ['😀'.repeat(35), 'UCS-2', 70, 1],
  ])('%#: %s', (text, encoding, units, segments) => {
    expect(smsInfo(text)).toMatchObject({ encoding, units, segments });
  });

  it('never splits an escape pair across segments', () => {
    // 152 septets, then a two-septet character: it does not fit in segment 1 (153).
    expect(smsInfo(`${'a'.repeat(152)}€${'a'.repeat(10)}`).segments).toBe(2);
    expect(smsInfo(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toMatchObject({
      units: 306,
      segments: 3,
    });
  });

  it('never splits a surrogate pair across segments', () => {
    expect(smsInfo(`${'ó'.repeat(66)}😀${'ó'.repeat(66)}`)).toMatchObject({
      units: 134,
      segments: 3,
    });
  });

  it('names the characters that forced UCS-2', () => {
    expect(smsInfo('código ção').nonGsmCharacters).toEqual(['ó', 'ç', 'ã']);
  });

  test.prop([fc.string({ unit: 'binary', maxLength: 600 })])(
    'segments always hold the text, and one fewer would not',
    (text) => {
      const info = smsInfo(text);
      expect(info.encoding === 'GSM-7').toBe(isGsm7(text));
      const single = info.encoding === 'GSM-7' ? 160 : 70;
      const multi = info.encoding === 'GSM-7' ? 153 : 67;
      if (info.units === 0) expect(info.segments).toBe(0);
      else if (info.units <= single) expect(info.segments).toBe(1);
      else {
        expect(info.segments * multi).toBeGreaterThanOrEqual(info.units);
        expect((info.segments - 1) * multi).toBeLessThan(info.units);
      }
    },
  );
});

describe('toGsm7', () => {
  it('replaces accents and typography, keeping the text readable', () => {
    expect(toGsm7('Tu código: ¿qué pasó? “ok” – ça')).toBe('Tu codigo: ¿qué paso? "ok" - ca');
  });

  it('leaves text with characters it cannot map untouched', () => {
    expect(toGsm7('Ваш код 123 – ó')).toBe('Ваш код 123 – ó');
  });

  test.prop([fc.string({ maxLength: 200 })])('its output is GSM-7 or its input', (text) => {
    const out = toGsm7(text);
    expect(out === text || isGsm7(out)).toBe(true);
  });
});

describe('cost of the built-in messages (6-digit code, app "Acme", 10 minutes)', () => {
  const ctx = {
    code: '482916',
    channel: 'sms' as const,
    appName: 'Acme',
    minutes: 10,
    purpose: 'verify',
  };

  it('every default text is one segment, or one with gsm7 transliteration', () => {
    const gsm = createRenderer({ gsm7: true });
    for (const locale of Object.keys(builtinLocales)) {
      const d = defaultRenderer.describe({ ...ctx, locale });
      const t = gsm.describe({ ...ctx, locale });
      expect(t.encoding, locale).toBe('GSM-7');
      expect(t.segments, locale).toBe(1);
      expect(d.segments, locale).toBe(1);
    }
  });

  it('reports UCS-2 for Spanish and Portuguese accents, GSM-7 for German umlauts', () => {
    expect(defaultRenderer.describe({ ...ctx, locale: 'es' }).encoding).toBe('UCS-2');
    expect(defaultRenderer.describe({ ...ctx, locale: 'pt' }).encoding).toBe('UCS-2');
    expect(defaultRenderer.describe({ ...ctx, locale: 'de' }).encoding).toBe('GSM-7');
  });
});
