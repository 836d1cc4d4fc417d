/**
 * The ASP.NET readers the examples use (examples/aspnet): the DataContract XML reader and
 * writer, the form reader with the binder's field names, case-insensitive member binding and
 * Web API's content negotiation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bindNames, readForm } from '../../examples/aspnet/form';
import { negotiate } from '../../examples/aspnet/negotiate';
import { readDataContract, writeDataContract, XSI } from '../../examples/aspnet/xml';

const NAME = { root: 'M', namespace: 'urn:dc' };

/** XML 1.0's Char production (what an XML document can carry at all). */
const isXmlChar = (c: number) =>
  c === 0x9 ||
  c === 0xa ||
  c === 0xd ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  c >= 0x10000;

describe('readDataContract', () => {
  it('reads members: prefixes, comments, CDATA, character references, i:nil, the declaration, a BOM', () => {
    const xml = `\uFEFF<?xml version="1.0" encoding="utf-8"?>
      <!-- a client's comment -->
      <d:M xmlns:d="urn:dc" xmlns:i="${XSI}">
        <d:A>x &lt;&amp;&gt; &#65;&#x42;</d:A>
        <d:B><![CDATA[<raw> & text]]></d:B>
        <d:C i:nil="true"/>
        <d:D/>
        <Other xmlns="urn:elsewhere">ignored</Other>
      </d:M>`;
    expect(readDataContract(xml, NAME)).toEqual({
      A: 'x <&> AB',
      B: '<raw> & text',
      C: null,
      D: '',
    });
  });

  it('refuses what it does not read, with a reason', () => {
    const refused: [string, RegExp][] = [
      ['<!DOCTYPE M [<!ENTITY e "x">]><M xmlns="urn:dc"><A>&e;</A></M>', /DOCTYPE/],
      ['<M xmlns="urn:dc"><A>&e;</A></M>', /&e;/],
      ['<M xmlns="urn:dc"><A>&amp</A></M>', /entity reference/],
      ['<M xmlns="urn:dc"><A>&#0;</A></M>', /&#0;/],
      ['<M xmlns="urn:dc"><A><B>1</B></A></M>', /only text/],
      ['<M xmlns="urn:dc"><A>1</A><A>2</A></M>', /twice/],
      ['<M xmlns="urn:dc"><A>1</A>', /not closed/],
      ['<M xmlns="urn:dc"></M><M/>', /follow/],
      ['<M xmlns="urn:other"/>', /Expecting element 'M' from namespace 'urn:dc'/],
      ['<M xmlns="urn:dc" a="1" a="2"/>', /twice/],
      ['<M xmlns="urn:dc"><?pi x?></M>', /member elements/],
      ['<x:M xmlns="urn:dc"/>', /prefix/],
      ['', /not XML/],
    ];
    for (const [xml, reason] of refused) {
      const r = readDataContract(xml, NAME);
      expect(typeof r, xml).toBe('string');
      expect(r, xml).toMatch(reason);
    }
  });

  it('reads back what it writes (alphabetical members, nil for null)', () => {
    const key = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,8}$/);
    const text = fc
      .string({ maxLength: 30 })
      .filter((s) => [...s].every((c) => isXmlChar(c.codePointAt(0)!)));
    fc.assert(
      fc.property(fc.dictionary(key, fc.option(text)), (fields) => {
        const xml = writeDataContract(NAME, fields);
        const back = readDataContract(xml, NAME);
        expect(back).toEqual(fields);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const r = readDataContract(s, NAME);
        expect(typeof r === 'string' || typeof r === 'object').toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('readForm and bindNames', () => {
  it('nests dotted and bracketed names, and refuses duplicates and prototype keys', () => {
    expect(
      readForm('PhoneNo=%2B1+213&VerifiedUserObj.AuthenticatorKey=k&VerifiedUserObj[TotpSid]=s'),
    ).toEqual({
      PhoneNo: '+1 213',
      VerifiedUserObj: { AuthenticatorKey: 'k', TotpSid: 's' },
    });
    expect(readForm('a=1&A=2')).toMatch(/twice/);
    expect(readForm('a=1&a.b=2')).toMatch(/both/);
    expect(readForm('__proto__.x=1')).toMatch(/not a member name/);
    expect(readForm('a.b.c.d.e=1')).toMatch(/not a member name/);
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (s) => {
        const r = readForm(s);
        expect(typeof r === 'string' || Object.getPrototypeOf(r) === Object.prototype).toBe(true);
      }),
    );
  });

  it('binds member names without regard to case, the exact spelling first', () => {
    expect(bindNames({ phoneno: '1', userID: 3, Extra: 1 }, ['PhoneNo', 'UserId'])).toEqual({
      PhoneNo: '1',
      UserId: 3,
    });
    expect(bindNames({ PhoneNo: 'a', phoneno: 'b' }, ['PhoneNo'])).toEqual({ PhoneNo: 'a' });
    expect(bindNames({ phoneNO: 'a', phoneno: 'b' }, ['PhoneNo'])).toMatch(/twice/);
  });
});

describe('negotiate', () => {
  it('follows Accept by quality, then the request content type, then JSON', () => {
    expect(negotiate('application/xml', 'application/json')).toBe('xml');
    expect(negotiate('text/xml;q=0.5, application/json;q=0.9', undefined)).toBe('json');
    expect(negotiate('application/json, application/xml', undefined)).toBe('json');
    expect(negotiate(undefined, 'text/xml; charset=utf-8')).toBe('xml');
    expect(negotiate('*/*', 'application/xml')).toBe('xml');
    expect(negotiate('text/html', undefined)).toBe('json');
  });
});
