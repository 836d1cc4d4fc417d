import { describe, expect, it } from 'vitest';
import { BUILTIN_TEMPLATES, builtinLocales } from '../../src/messages/catalog';
import { defaultRenderer, type MessageContext } from '../../src/messages/render';
import { createRenderer } from '../../src/messages/renderer';
import { spokenCode, ttsLanguage, voiceLines } from '../../src/messages/voice';
import { parseOriginBoundCode } from '../../src/messages/webotp';

const ctx = (extra: Partial<MessageContext> = {}): MessageContext => ({
  code: '482916',
  channel: 'sms',
  locale: 'en',
  appName: 'Acme',
  minutes: 10,
  purpose: 'verify',
  ...extra,
});

describe('built-in catalog', () => {
  const locales = Object.keys(builtinLocales);

  it('covers at least en, es, fr, de, pt', () => {
    expect(locales).toEqual(expect.arrayContaining(['en', 'es', 'fr', 'de', 'pt']));
  });

  for (const locale of locales) {
    for (const template of BUILTIN_TEMPLATES) {
      it(`${locale}/${template}: app, code and expiry filled in, nothing left over`, () => {
        const text = defaultRenderer(ctx({ locale, template }));
        expect(text).toContain('482916');
        expect(text).toContain('Acme');
        expect(text).toMatch(/10/);
        expect(text).not.toMatch(/[{}]/);
      });
    }
    it(`${locale}: voice reads the code digit by digit, three times, in the language`, () => {
      const d = defaultRenderer.describe(ctx({ locale, channel: 'voice' }));
      const lines = voiceLines(d.text);
      expect(lines.filter((l) => l === '4. 8. 2. 9. 1. 6.')).toHaveLength(3);
      expect(lines[0]).toContain('Acme');
      expect(d.ttsLanguage).toBe(builtinLocales[locale]!.ttsLanguage);
      expect(d.text).not.toContain('482916');
    });
  }

  it('keeps the English default sentence of the foundation', () => {
    expect(defaultRenderer(ctx())).toBe(
      'Your Acme verification code is 482916. It expires in 10 minutes. Do not share it.',
    );
  });

  it.each([
    ['en', 'It expires in 1 minute.'],
    ['es', 'Caduca en 1 minuto.'],
    ['fr', 'Il expire dans 1 minute.'],
    ['de', 'Er läuft in 1 Minute ab.'],
    ['pt', 'Expira em 1 minuto.'],
  ])('%s: singular minute', (locale, phrase) => {
    expect(defaultRenderer(ctx({ locale, minutes: 1 }))).toContain(phrase);
  });

  it('named templates differ from the default one', () => {
    const texts = BUILTIN_TEMPLATES.map((template) => defaultRenderer(ctx({ template })));
    expect(new Set(texts).size).toBe(BUILTIN_TEMPLATES.length);
    expect(defaultRenderer(ctx({ template: 'login' }))).toContain('login code');
  });
});

describe('locale resolution', () => {
  it('matches region tags to their language, case-insensitively, and falls back to English', () => {
    expect(defaultRenderer(ctx({ locale: 'PT-br' }))).toContain('é seu código');
    expect(defaultRenderer(ctx({ locale: 'ja' }))).toContain('verification code');
    expect(defaultRenderer.localeFor('es-MX')).toBe('es-MX');
    expect(defaultRenderer.localeFor('ja')).toBe('en');
    expect(defaultRenderer.describe(ctx({ locale: 'ja', channel: 'voice' })).ttsLanguage).toBe(
      'en-US',
    );
    expect(defaultRenderer.describe(ctx({ locale: 'es-MX', channel: 'voice' })).ttsLanguage).toBe(
      'es-MX',
    );
  });

  it('uses a configured fallback locale', () => {
    const r = createRenderer({ fallbackLocale: 'fr' });
    expect(r(ctx({ locale: 'ja' }))).toContain('Votre code');
  });

  it('adds languages', () => {
    const r = createRenderer({
      locales: {
        sv: {
          sms: { default: 'Din {app}-kod är {code}. Den gäller i {expires}.' },
          minutes: { one: '{n} minut', other: '{n} minuter' },
          voice: { intro: 'Din kod är:', again: 'Igen:' },
          ttsLanguage: 'sv-SE',
        },
      },
    });
    expect(r(ctx({ locale: 'sv-SE' }))).toBe('Din Acme-kod är 482916. Den gäller i 10 minuter.');
    expect(r.describe(ctx({ locale: 'sv', channel: 'voice' })).ttsLanguage).toBe('sv-SE');
    // A language without its own template of a name gets its default.
    expect(r.describe(ctx({ locale: 'sv', template: 'login' })).template).toBe('default');
  });
});

describe('custom templates', () => {
  it('strings with placeholders, functions, and per-locale maps', () => {
    const r = createRenderer({
      templates: {
        promo: '{code} unlocks {app} for {minutes} min ({purpose}).',
        fn: (c) => `fn:${c.code}:${c.locale}`,
        login: { en: 'EN {code}', 'pt-BR': 'BR {code}' },
      },
    });
    expect(r(ctx({ template: 'promo' }))).toBe('482916 unlocks Acme for 10 min (verify).');
    expect(r(ctx({ template: 'fn', locale: 'de' }))).toBe('fn:482916:de');
    expect(r(ctx({ template: 'login', locale: 'pt-BR' }))).toBe('BR 482916');
    expect(r(ctx({ template: 'login', locale: 'en-GB' }))).toBe('EN 482916');
    // Spanish has a built-in login text, which beats the English override.
    expect(r(ctx({ template: 'login', locale: 'es' }))).toContain('código de acceso');
    expect(r.has('promo')).toBe(true);
    expect(r.has('nope')).toBe(false);
  });

  it('a custom-only template without the language uses the fallback locale text', () => {
    const r = createRenderer({ templates: { promo: { en: 'EN {code}' } } });
    expect(r(ctx({ template: 'promo', locale: 'de' }))).toBe('EN 482916');
  });

  it('an unknown template name renders the default', () => {
    const d = defaultRenderer.describe(ctx({ template: 'does-not-exist' }));
    expect(d.template).toBe('default');
    expect(d.text).toContain('verification code');
  });

  it('a throwing function, or one that drops the code, falls back to the built-in text', () => {
    const r = createRenderer({
      templates: {
        default: () => {
          throw new Error('boom');
        },
        login: () => 'no code here',
      },
    });
    expect(r(ctx())).toContain('482916');
    expect(r(ctx({ template: 'login' }))).toContain('login code is 482916');
  });

  it('rejects malformed templates at construction', () => {
    expect(() => createRenderer({ templates: { x: 'no code' } })).toThrow(/\{code\}/);
    expect(() => createRenderer({ templates: { x: '{code} {nmae}' } })).toThrow(/\{nmae\}/);
    expect(() => createRenderer({ templates: { x: {} } })).toThrow(/locale map/);
    expect(() => createRenderer({ fallbackLocale: 'xx' })).toThrow(/fallbackLocale/);
    expect(() => createRenderer({ locales: { xx: { sms: {} } as never } })).toThrow(/sms.default/);
  });
});

describe('voice scripts', () => {
  it.each([1, 2, 10])('repeats the code %i times', (repeat) => {
    const r = createRenderer({ voice: { repeat } });
    const lines = voiceLines(r(ctx({ channel: 'voice' })));
    expect(lines.filter((l) => l === spokenCode('482916'))).toHaveLength(repeat);
    expect(lines).toHaveLength(repeat * 2);
  });

  it.each([0, 11, 1.5, Number.NaN])('rejects repeat=%s', (repeat) => {
    expect(() => createRenderer({ voice: { repeat } })).toThrow(/repeat/);
  });

  it('reads letters of alphanumeric codes one by one', () => {
    expect(spokenCode('A7K')).toBe('A. 7. K.');
  });

  it('a custom voice template gets {spoken}', () => {
    const r = createRenderer({ voice: { template: 'Code for {app}:\n{spoken}' } });
    expect(r(ctx({ channel: 'voice' }))).toBe('Code for Acme:\n4. 8. 2. 9. 1. 6.');
  });

  it('derives text-to-speech languages from locales', () => {
    expect(ttsLanguage('pt')).toBe('pt-BR');
    expect(ttsLanguage('pt-PT')).toBe('pt-PT');
    expect(ttsLanguage('zh-Hans-CN')).toBe('zh-CN');
    expect(ttsLanguage('xx')).toBe('en-US');
  });
});

describe('origin-bound codes (WebOTP / SMS Retriever)', () => {
  it('ends the SMS with "@domain #code", which the spec parser reads back', () => {
    const r = createRenderer({ webOtp: { domain: 'example.com' } });
    const text = r(ctx());
    expect(text.split('\n').at(-1)).toBe('@example.com #482916');
    expect(text).toMatch(/\n\n@example\.com #482916$/);
    expect(parseOriginBoundCode(text)).toEqual({
      topLevelHost: 'example.com',
      code: '482916',
      embeddedHost: null,
    });
  });

  it('adds the embedded host and the Android app hash at the end of the same line', () => {
    const r = createRenderer({
      webOtp: { domain: 'example.com', embeddedDomain: 'pay.example', appHash: 'FA+9qCX9VSu' },
    });
    const text = r(ctx());
    expect(text.endsWith('\n@example.com #482916 %pay.example FA+9qCX9VSu')).toBe(true);
    expect(parseOriginBoundCode(text)).toEqual({
      topLevelHost: 'example.com',
      code: '482916',
      embeddedHost: 'pay.example',
    });
  });

  it('is not added to voice calls', () => {
    const r = createRenderer({ webOtp: { domain: 'example.com' } });
    expect(r(ctx({ channel: 'voice' }))).not.toContain('@example.com');
  });

  it('rejects bad hosts and hashes at construction', () => {
    expect(() => createRenderer({ webOtp: { domain: 'https://example.com' } })).toThrow(/domain/);
    expect(() => createRenderer({ webOtp: { domain: 'example.com', appHash: 'short' } })).toThrow(
      /appHash/,
    );
  });

  it('the parser follows the specification examples', () => {
    expect(parseOriginBoundCode('747723 is your code.\n\n@example.com #747723')?.code).toBe(
      '747723',
    );
    expect(parseOriginBoundCode('something @example.com #747723')).toBeUndefined();
    expect(parseOriginBoundCode('#747723 %ecommerce.example @example.com')).toBeUndefined();
    expect(parseOriginBoundCode('@example.com code #747723')).toBeUndefined();
    expect(parseOriginBoundCode('@example.com #747723 %ecommerce.example $future')).toEqual({
      topLevelHost: 'example.com',
      code: '747723',
      embeddedHost: 'ecommerce.example',
    });
  });
});

describe('whatsapp messages', () => {
  it('render the SMS text in the same language and template, without SMS encoding or segments', () => {
    for (const locale of ['en', 'es-MX', 'ja']) {
      for (const template of ['default', 'login']) {
        const sms = defaultRenderer.describe(ctx({ locale, template }));
        const wa = defaultRenderer.describe(ctx({ locale, template, channel: 'whatsapp' }));
        expect(defaultRenderer(ctx({ locale, template, channel: 'whatsapp' }))).toBe(sms.text);
        expect(wa).toEqual({
          text: sms.text,
          locale: sms.locale,
          template: sms.template,
          ttsLanguage: sms.ttsLanguage,
        });
        expect(sms.segments).toBeGreaterThan(0);
      }
    }
  });
});
