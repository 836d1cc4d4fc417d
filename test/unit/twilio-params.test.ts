/**
 * The Twilio parameter table, case by case: each rule of `src/delivery/twilio-params.ts`
 * (names, shapes, required fields, SID agreement, WhatsApp-only names, extra names) refuses
 * what it is meant to refuse and passes what Twilio sends. Written to kill the mutants that
 * the attack suites (test/adversary/twilio-resplit*.test.ts) left alive.
 * @module
 */
import { describe, expect, it } from 'vitest';
import {
  extraParamsProblem,
  twilioParamFits,
  twilioParamsProblem,
} from '../../src/delivery/twilio-params';

const SID = `SM${'a'.repeat(32)}`;
const OTHER = `SM${'b'.repeat(32)}`;
const sms = { From: '+15550001111', To: '+15550002222', MessageSid: SID, Body: 'STOP' };
const wa = { ...sms, From: 'whatsapp:+15550001111', To: 'whatsapp:+15550002222' };

describe('extraParamsProblem', () => {
  it('accepts no list and a list of names sorted after From', () => {
    expect(extraParamsProblem(undefined)).toBeUndefined();
    expect(extraParamsProblem([])).toBeUndefined();
    expect(extraParamsProblem(['Ticket', 'Zone9'])).toBeUndefined();
  });
  it('refuses a non-list, a bad name and a name sorted before From', () => {
    expect(extraParamsProblem('Ticket')).toBe('must be a list of parameter names');
    expect(extraParamsProblem([1])).toMatch(/^names must be a capital/);
    expect(extraParamsProblem(['ticket'])).toMatch(/^names must be a capital/);
    expect(extraParamsProblem(['T'])).toMatch(/^names must be a capital/);
    expect(extraParamsProblem(['Ticket', 'T-1'])).toMatch(/^names must be a capital/);
    expect(extraParamsProblem(['Cart'])).toBe('names must sort after "From" (got "Cart")');
    expect(extraParamsProblem(['Ticket', 'Fr'])).toMatch(/sort after "From"/);
    expect(extraParamsProblem(['From'])).toBeUndefined();
  });
});

describe('twilioParamFits', () => {
  it('knows each webhook its own names', () => {
    expect(twilioParamFits('inbound', 'Body', 'anything +1 555')).toBe(true);
    expect(twilioParamFits('inbound', 'MessageStatus', 'delivered')).toBe(false);
    expect(twilioParamFits('status', 'MessageStatus', 'delivered')).toBe(true);
    expect(twilioParamFits('status', 'Body', 'hi')).toBe(false);
    expect(twilioParamFits('inbound', 'MediaUrl0', 'https://api.twilio.com/x')).toBe(true);
    expect(twilioParamFits('status', 'MediaUrl0', 'https://api.twilio.com/x')).toBe(false);
    expect(twilioParamFits('inbound', 'Ticket', 'x')).toBe(false);
    expect(twilioParamFits('inbound', 'Ticket', 'x', ['Ticket'])).toBe(true);
    expect(twilioParamFits('inbound', 'toString', 'x')).toBe(false);
  });
  it('free text holds no address, SID, parameter name or media name', () => {
    const ok = (v: string) => twilioParamFits('inbound', 'ProfileName', v);
    expect(ok('Ana Lopez')).toBe(true);
    expect(ok('Ana +1')).toBe(false);
    expect(ok('Ana+')).toBe(true);
    expect(ok(`x${SID}`)).toBe(false);
    expect(ok(`AB${'a'.repeat(31)}`)).toBe(true);
    expect(ok(`xA${'a'.repeat(32)}`)).toBe(true); // one capital and 32 hex digits: not a SID
    expect(ok('AnaFrom')).toBe(false);
    expect(ok('To go')).toBe(true);
    expect(ok('MediaUrl1')).toBe(false);
    expect(ok('MediaContentType2')).toBe(false);
    expect(ok('MediaUrl')).toBe(true);
  });
  it('loose text holds no address or SID but may hold names', () => {
    const ok = (v: string) => twilioParamFits('inbound', 'ChannelMetadata', v);
    expect(ok('{"From":"x"}')).toBe(true);
    expect(ok('{"n":"+44"}')).toBe(false);
    expect(ok(`{"s":"${SID}"}`)).toBe(false);
  });
  it("Twilio's own text holds no parameter name but may hold +digits", () => {
    const ok = (v: string) => twilioParamFits('status', 'ErrorMessage', v);
    expect(ok('Unreachable +1 destination')).toBe(true);
    expect(ok('bad Body')).toBe(false);
  });
  it('a place holds no name and no +', () => {
    const ok = (v: string) => twilioParamFits('inbound', 'FromCity', v);
    expect(ok('SAN FRANCISCO')).toBe(true);
    expect(ok('Body')).toBe(false);
    expect(ok('+1')).toBe(false);
    expect(twilioParamFits('inbound', 'NumMedia', '12345')).toBe(false);
    expect(twilioParamFits('inbound', 'NumMedia', '3')).toBe(true);
  });
});

describe('twilioParamsProblem', () => {
  it('passes what Twilio sends', () => {
    expect(twilioParamsProblem('inbound', sms)).toBeUndefined();
    expect(
      twilioParamsProblem('inbound', { ...sms, SmsSid: SID, SmsMessageSid: SID }),
    ).toBeUndefined();
    expect(twilioParamsProblem('inbound', { ...wa, ProfileName: 'Ana' })).toBeUndefined();
    expect(twilioParamsProblem('inbound', { ...sms, Ticket: 'x' }, ['Ticket'])).toBeUndefined();
    expect(
      twilioParamsProblem('status', { MessageSid: SID, MessageStatus: 'sent' }),
    ).toBeUndefined();
  });
  it('with no extra names, no name outside the table is read (whatever it is called)', () => {
    for (const name of ['Stryker was here', 'Ticket']) {
      expect(twilioParamFits('inbound', name, 'x')).toBe(false);
      expect(twilioParamsProblem('inbound', { ...sms, [name]: 'x' })).toMatch(
        /not a Twilio parameter/,
      );
    }
  });

  it('refuses repeats, unknown names and wrong shapes, naming them', () => {
    const twice = new URLSearchParams([...Object.entries(sms), ['Body', 'START']]);
    expect(twilioParamsProblem('inbound', twice)).toBe('repeats `Body`');
    expect(twilioParamsProblem('inbound', { ...sms, Ticket: 'x' })).toBe(
      'carries `Ticket`, not a Twilio parameter',
    );
    expect(twilioParamsProblem('inbound', { ...sms, From: '15550001111' })).toBe(
      'has a `From` of the wrong shape',
    );
  });
  it('an inbound message needs From and MessageSid; a status callback does not', () => {
    const { From: _f, ...noFrom } = sms;
    const { MessageSid: _m, ...noSid } = sms;
    expect(twilioParamsProblem('inbound', noFrom)).toBe('has no `From`');
    expect(twilioParamsProblem('inbound', noSid)).toBe('has no `MessageSid`');
    expect(twilioParamsProblem('status', { MessageStatus: 'sent' })).toBeUndefined();
  });
  it('SmsSid and SmsMessageSid equal MessageSid', () => {
    expect(twilioParamsProblem('inbound', { ...sms, SmsSid: OTHER })).toBe(
      'has a `SmsSid` other than its MessageSid',
    );
    expect(twilioParamsProblem('inbound', { ...sms, SmsSid: SID, SmsMessageSid: OTHER })).toBe(
      'has a `SmsMessageSid` other than its MessageSid',
    );
  });
  it('WhatsApp-only names are refused on an SMS and a WhatsApp Body holds no sorted-between name', () => {
    expect(twilioParamsProblem('inbound', { ...sms, ProfileName: 'Ana' })).toBe(
      'is an SMS carrying the WhatsApp parameter `ProfileName`',
    );
    for (const n of [
      'ButtonPayload',
      'ButtonText',
      'ChannelMetadata',
      'Forwarded',
      'FrequentlyForwarded',
    ]) {
      expect(twilioParamsProblem('inbound', { ...wa, Body: `a${n}b` })).toBe(
        'has a Body holding a parameter name',
      );
      expect(twilioParamsProblem('inbound', { ...sms, Body: `a${n}b` })).toBeUndefined();
    }
    expect(twilioParamsProblem('inbound', { ...wa, Body: 'plain' })).toBeUndefined();
    const { Body: _b, ...noBody } = wa;
    expect(twilioParamsProblem('inbound', noBody)).toBeUndefined();
  });
});
