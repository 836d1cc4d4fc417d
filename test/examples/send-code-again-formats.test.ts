/**
 * `POST api/Account/UpdateSendCodeAgain` (reference page 003) as a client of the original
 * ASP.NET Web API sends it: the page's XML sample of AccountModel (`application/xml`,
 * `text/xml`), form bodies (`application/x-www-form-urlencoded`), answers in XML when asked
 * (`Accept`, or an XML request without `Accept`), and malformed bodies refused with a 400.
 */
import type { RequestListener } from 'node:http';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createSendCodeAgainApp } from '../../examples/send-code-again/app';
import { consoleLines, fakeClock, fixtureText, listen, send, xmlFields } from './support';

const NS = 'http://schemas.datacontract.org/2004/07/ArtSolutions.ReqStudio.Core.SecurityModels';
const ID = 'c2556b9f-5550-423d-bcfa-9422eac2ee24';
const XML = { 'content-type': 'application/xml' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup() {
  const time = fakeClock();
  const out = consoleLines();
  const built = createSendCodeAgainApp({ now: time.now, write: out.write });
  const server = await listen(built.app as unknown as RequestListener);
  close = server.close;
  const xml = await fixtureText('send-code-again.request.xml');
  return {
    ...built,
    time,
    out,
    xml,
    again: (body: string, headers: Record<string, string>) =>
      send(`${server.url}/api/Account/UpdateSendCodeAgain`, body, headers),
    verify: (body: string, headers: Record<string, string>) =>
      send(`${server.url}/api/Account/VerifyCode`, body, headers),
  };
}

describe('examples/send-code-again: XML, form bodies and XML answers', () => {
  it('takes the XML sample of AccountModel verbatim and answers in XML', async () => {
    const t = await setup();
    const r = await t.again(t.xml, XML);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(r.text).toContain(
      `<AccountModel xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="${NS}">`,
    );
    expect(xmlFields(r.text)).toEqual({
      AccessFailedCount: '0',
      ID,
      LockoutEnabled: 'true',
      LockoutEndDateUtc: null,
      PhoneNumber: '+1 ••• ••• ••53',
      PhoneNumberConfirmed: 'false',
      TwoFactorEnabled: 'true',
    });
    // DataContract order: members alphabetically.
    expect(r.text.indexOf('<AccessFailedCount>')).toBeLessThan(r.text.indexOf('<ID>'));
    expect(t.out.lines).toHaveLength(1);
    expect(r.text).not.toContain('sample string');
  });

  it('reads text/xml too, and negotiates the answer with Accept as Web API does', async () => {
    const t = await setup();
    const textXml = await t.again(t.xml, { 'content-type': 'text/xml' });
    expect(textXml.status).toBe(200);
    expect(textXml.headers.get('content-type')).toMatch(/^text\/xml|^application\/xml/);
    t.time.advance(31_000);
    const jsonAnswer = await t.again(t.xml, { ...XML, accept: 'application/json' });
    expect(jsonAnswer.status).toBe(200);
    expect(JSON.parse(jsonAnswer.text)).toMatchObject({ ID, AccessFailedCount: 0 });
    t.time.advance(61_000);
    const xmlAnswer = await t.again(JSON.stringify({ ID }), {
      'content-type': 'application/json',
      accept: 'application/xml',
    });
    expect(xmlAnswer.status).toBe(200);
    expect(xmlFields(xmlAnswer.text).ID).toBe(ID);
  });

  it('answers a refusal in XML as ASP.NET HttpError, with the view beside the Message', async () => {
    const t = await setup();
    await t.again(t.xml, XML);
    const soon = await t.again(t.xml, XML);
    expect(soon.status).toBe(429);
    expect(soon.headers.get('retry-after')).toBe('30');
    expect(soon.text).toMatch(/^<Error[ >]/);
    expect(xmlFields(soon.text)).toMatchObject({
      Message: 'Wait before asking for another code.',
      AccessFailedCount: '0',
    });
  });

  it('takes form bodies (the form binder field names) for sending and checking', async () => {
    const t = await setup();
    const sent = await t.again(
      `ID=${ID}&SecurityCode=sample+string+6&PhoneNumber=%2B15550000`,
      FORM,
    );
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.text)).toMatchObject({ ID, PhoneNumber: '+1 ••• ••• ••53' });
    const code = t.out.lastCode();
    const ok = await t.verify(new URLSearchParams({ ID, SecurityCode: code }).toString(), FORM);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toMatchObject({ PhoneNumberConfirmed: true });
  });

  it('binds JSON and form field names case-insensitively, like the ASP.NET binders', async () => {
    const t = await setup();
    const json = await t.again(JSON.stringify({ id: ID }), { 'content-type': 'text/json' });
    expect(json.status).toBe(200);
    t.time.advance(31_000);
    const form = await t.again(`iD=${ID}`, FORM);
    expect(form.status).toBe(200);
  });

  it('refuses malformed XML, DOCTYPE and entities, another namespace, and oversized bodies with a clear 400/413', async () => {
    const t = await setup();
    const cases: [string, RegExp][] = [
      ['<AccountModel><ID>x</AccountModel>', /XML/],
      ['not xml at all', /XML/],
      [
        `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "${'x'.repeat(50)}">]><AccountModel xmlns="${NS}"><ID>&e;</ID></AccountModel>`,
        /DOCTYPE/,
      ],
      [`<AccountModel xmlns="${NS}"><ID>&e;</ID></AccountModel>`, /entity/],
      [`<AccountModel xmlns="urn:other"><ID>${ID}</ID></AccountModel>`, /AccountModel/],
      [`<Account xmlns="${NS}"><ID>${ID}</ID></Account>`, /AccountModel/],
    ];
    for (const [body, message] of cases) {
      const r = await t.again(body, XML);
      expect(r.status, body).toBe(400);
      expect(xmlFields(r.text).Message ?? '', body).toMatch(message);
    }
    const huge = `<AccountModel xmlns="${NS}"><ID>${'a'.repeat(40_000)}</ID></AccountModel>`;
    expect((await t.again(huge, XML)).status).toBe(413);
    expect(t.out.lines).toEqual([]);
  });

  it('fuzz: no XML or form body makes it crash or answer 500', async () => {
    const t = await setup();
    const xmlish = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc
        .tuple(fc.nat(t.xml.length), fc.nat(t.xml.length), fc.string({ maxLength: 20 }))
        .map(([a, b, s]) => t.xml.slice(0, Math.min(a, b)) + s + t.xml.slice(Math.max(a, b))),
      fc
        .array(
          fc.constantFrom(
            '<',
            '>',
            '/',
            'ID',
            '&',
            ';',
            '"',
            '=',
            ':',
            'i:nil',
            ' ',
            'x',
            '<!--',
            '-->',
            '<![CDATA[',
            ']]>',
            '&#x41;',
            '&#0;',
          ),
          { maxLength: 40 },
        )
        .map((parts) => `<AccountModel xmlns="${NS}">${parts.join('')}</AccountModel>`),
    );
    await fc.assert(
      fc.asyncProperty(
        xmlish,
        fc.constantFrom('application/xml', 'text/xml', 'application/x-www-form-urlencoded'),
        async (body, type) => {
          const r = await t.again(body, { 'content-type': type });
          expect(r.status).toBeLessThan(500);
          t.time.advance(400_000);
        },
      ),
      { numRuns: 120 },
    );
    const still = await t.again(t.xml, XML);
    expect(still.status).toBeLessThan(500);
  });
});
