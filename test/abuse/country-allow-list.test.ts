/**
 * One country allow list: `allowedCountries`, with `abuse.countries.allow` its deprecated
 * spelling. Both spellings behave the same (answers, messages and events); both given with
 * different countries are refused at construction.
 */
import { describe, expect, it } from 'vitest';
import { setup } from '../support/setup';
import { outcome } from './support';

const US = '+12133734253';
const FR = '+33612345678';
const GB = '+447400123456';

async function run(options: Parameters<typeof setup>[0]) {
  const t = setup(options);
  const answers = [];
  for (const phone of [US, FR, GB]) answers.push(outcome(await t.verifier.start({ phone })));
  answers.push(outcome(await t.verifier.check({ phone: GB, code: '000000' })));
  return {
    answers,
    sent: t.outbox.messages.map((m) => m.to),
    events: t.events.map((e) => [e.type, e.to]),
  };
}

describe('country allow list', () => {
  it('the deprecated abuse.countries.allow behaves as allowedCountries', async () => {
    const top = await run({ allowedCountries: ['US', 'fr'] });
    const old = await run({ abuse: { countries: { allow: ['US', 'fr'] } } });
    const both = await run({
      allowedCountries: ['fr', 'US'],
      abuse: { countries: { allow: ['FR', 'us'] } },
    });
    expect(top.answers).toEqual([
      'ok',
      'ok',
      'country_not_allowed/country',
      'country_not_allowed/country',
    ]);
    expect(old).toEqual(top);
    expect(both).toEqual(top);
    expect(top.sent).toEqual([US, FR]);
  });

  it('refuses both spellings naming different countries, and malformed lists', () => {
    expect(() =>
      setup({ allowedCountries: ['US'], abuse: { countries: { allow: ['US', 'FR'] } } }),
    ).toThrow(/allowedCountries.*abuse\.countries\.allow/);
    expect(() => setup({ abuse: { countries: { allow: ['USA'] } } })).toThrow(
      /abuse\.countries\.allow/,
    );
    expect(() => setup({ allowedCountries: 'US' as never })).toThrow(/allowedCountries/);
  });
});
