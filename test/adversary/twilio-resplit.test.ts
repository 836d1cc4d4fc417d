/**
 * Attack: re-split a genuinely signed Twilio message into a START (or STOP) from any number.
 * Twilio signs the URL followed by every parameter's `name + value`, sorted, with no
 * separator, so the boundaries between names and values are not signed. The attacker texts
 * our number `STARTFrom+<victim>FromA` from their own phone and takes that delivery's
 * `X-Twilio-Signature` (a leaked log); then posts `Body=START&From=<victim>&FromA=From<attacker>`
 * with the other fields unchanged: the same signed string. Variants absorb the real `From`
 * into a real Twilio field (`FromCity`), or, on WhatsApp, into the sender's own `ProfileName`.
 * Twilio signs no timestamp. Each must be refused, the victim's STOP holding. Over real
 * sockets, every framework. (The same trick on a delivery report: `ErrorCode=30006` read as
 * `ErrorCode3=0006`.)
 */
import { describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { twilioStatusWebhook } from '../../adapters/twilio/webhook';
import { consent } from '../../src/consent/index';
import { twilioSignature } from '../../src/delivery/twilio-signature';
import { inboundMessage, validateInboundAuth } from '../../src/http/inbound';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { FRAMEWORKS } from './support';

const TOKEN = 'twilio-auth-token-0123456789abcdef';
const INBOUND_URL = 'https://verify.acme.example/inbound-sms';
const VICTIM = '+12133734253';
const ATTACKER = '+14155552671';
const CONSENT_TEXT = 'Yes, text me one-time codes.';
const SID = 'SM0123456789abcdef0123456789abcdef';
const OTHER_SID = 'SMfedcba9876543210fedcba9876543210';
const ACCOUNT = 'ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

/** Genuine request → its forged re-split, both signed alike. */
interface Case {
  readonly name: string;
  readonly genuine: Record<string, string>;
  readonly forged: Record<string, string>;
}

const sms = (body: string, extra: Record<string, string> = {}) => ({
  AccountSid: ACCOUNT,
  ApiVersion: '2010-04-01',
  Body: body,
  From: ATTACKER,
  MessageSid: SID,
  NumMedia: '0',
  SmsSid: SID,
  To: '+15005550006',
  ...extra,
});

function cases(): Case[] {
  const a = sms(`STARTFrom${VICTIM}FromA`);
  const { From: _a, ...aRest } = a;
  const b = sms(`STARTFrom${VICTIM}FromCity`, { FromCity: 'SAN FRANCISCO', FromCountry: 'US' });
  const wa: Record<string, string> = {
    AccountSid: ACCOUNT,
    ApiVersion: '2010-04-01',
    Body: `STARTFromwhatsapp:${VICTIM}MessageSid${OTHER_SID}ProfileName`,
    From: `whatsapp:${ATTACKER}`,
    MessageSid: SID,
    NumMedia: '0',
    ProfileName: 'Mallory',
    To: 'whatsapp:+15005550006',
    WaId: ATTACKER.slice(1),
  };
  const { From: waFrom, MessageSid: waSid, NumMedia: _n, ProfileName: waName, ...waRest } = wa;
  const mct: Record<string, string> = sms(`STARTFrom${VICTIM}MediaContentType0a/b`, {
    FromCountry: 'US',
    FromState: 'CA',
  });
  const { From: _m, FromCountry: _mc, FromState: _ms, ...mctRest } = mct;
  return [
    {
      name: 'a new name (FromA) absorbs the real From',
      genuine: a,
      forged: { ...aRest, Body: 'START', From: VICTIM, FromA: `From${ATTACKER}` },
    },
    {
      name: 'a real Twilio field (FromCity) absorbs the real From',
      genuine: b,
      forged: {
        ...b,
        Body: 'START',
        From: VICTIM,
        FromCity: `From${ATTACKER}FromCitySAN FRANCISCO`,
      },
    },
    {
      name: "WhatsApp: the sender's ProfileName absorbs the real From",
      genuine: wa,
      forged: {
        ...waRest,
        Body: 'START',
        From: `whatsapp:${VICTIM}`,
        MessageSid: OTHER_SID,
        ProfileName: `From${waFrom}MessageSid${waSid}NumMedia0ProfileName${waName}`,
      },
    },
    {
      name: 'a media content type (MediaContentType0) absorbs the real From',
      genuine: mct,
      forged: {
        ...mctRest,
        Body: 'START',
        From: VICTIM,
        MediaContentType0: `a/bFrom${ATTACKER}FromCountryUSFromStateCA`,
      },
    },
  ];
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

for (const [framework, mount] of FRAMEWORKS) {
  describe(`re-splitting a signed Twilio message (${framework})`, () => {
    for (const c of cases()) {
      it(`${c.name}: refused, the victim's STOP holds`, async () => {
        const now = () => Date.UTC(2030, 0, 1);
        const verifier = createVerifier({
          secret: 'twilio-resplit-secret-twilio-resplit-secret!',
          store: memoryStore({ now }),
          sender: outboxSender(),
          now,
          consent: consent({
            ledger: memoryConsentLedger(),
            required: { version: 1, text: CONSENT_TEXT },
          }),
        });
        await verifier.consent.record({ phone: VICTIM, text: CONSENT_TEXT, version: 1 });
        await verifier.consent.optOut({ phone: VICTIM, source: 'sms' } as never);
        const state = async () =>
          (await verifier.consent.status({ phone: VICTIM }))._unsafeUnwrap().state;
        expect(await state()).toBe('opted_out');
        const sig = twilioSignature(TOKEN, INBOUND_URL, c.genuine);
        expect(twilioSignature(TOKEN, INBOUND_URL, c.forged)).toBe(sig);
        const running = await mount(verifier, {
          now,
          inbound: { twilio: { authToken: TOKEN, url: INBOUND_URL } },
        });
        try {
          const r = await fetch(`${running.base}/inbound-sms`, {
            method: 'POST',
            headers: { ...FORM, 'x-twilio-signature': sig },
            body: new URLSearchParams(c.forged).toString(),
          });
          expect(r.status).toBe(400);
          expect(await state()).toBe('opted_out');
        } finally {
          await running.close();
        }
      });
    }
  });
}

describe('re-splitting a signed Twilio status callback', () => {
  it('ErrorCode=30006 read as ErrorCode3=0006 is refused (not a retryable provider_error)', () => {
    const url = 'https://app.example/twilio/status?ref=abc';
    const p: Record<string, string> = {
      AccountSid: ACCOUNT,
      ErrorCode: '30006',
      MessageSid: SID,
      MessageStatus: 'undelivered',
      SmsSid: SID,
      SmsStatus: 'undelivered',
      To: VICTIM,
    };
    const signature = twilioSignature(TOKEN, url, p);
    const webhook = twilioStatusWebhook({ authToken: TOKEN });
    const genuine = webhook({ url, signature, params: p })._unsafeUnwrap();
    expect(genuine.error?.reason).toBe('not_mobile');
    const { ErrorCode: _e, ...rest } = p;
    const forged = { ...rest, ErrorCode3: '0006' };
    expect(twilioSignature(TOKEN, url, forged)).toBe(signature);
    const r = webhook({ url, signature, params: forged });
    expect(r.isErr()).toBe(true);
    expect(r._unsafeUnwrapErr().code).toBe('invalid_request');
  });
});

describe('re-splitting a signed Twilio call status callback', () => {
  it('Timestamp absorbing `To+…` and Called absorbing `CalledCountry…` are refused', () => {
    const url = 'https://app.example/twilio/status?ref=abc';
    const call = `CA${'0123456789abcdef'.repeat(2)}`;
    const p: Record<string, string> = {
      AccountSid: ACCOUNT,
      ApiVersion: '2010-04-01',
      CallSid: call,
      CallStatus: 'completed',
      Called: '+15557654321',
      CalledCountry: 'US',
      Caller: ATTACKER,
      Direction: 'outbound-api',
      From: ATTACKER,
      SequenceNumber: '0',
      Timestamp: 'Tue, 08 Dec 2026 01:49:18 +0000',
      To: '+15557654321',
    };
    const signature = twilioSignature(TOKEN, url, p);
    const webhook = twilioStatusWebhook({ authToken: TOKEN });
    expect(webhook({ url, signature, params: p }).isOk()).toBe(true);
    const { To: _t, CalledCountry: _c, ...rest } = p;
    const forged = {
      ...rest,
      Timestamp: `${p.Timestamp}To${p.To}`,
      Called: `${p.Called}CalledCountryUS`,
    };
    expect(twilioSignature(TOKEN, url, forged)).toBe(signature);
    expect(webhook({ url, signature, params: forged })._unsafeUnwrapErr().code).toBe(
      'invalid_request',
    );
  });
});

describe('parameters Twilio adds later (`extraParams`)', () => {
  const auth = (extraParams?: readonly string[]) => ({
    twilio: { authToken: TOKEN, url: INBOUND_URL, ...(extraParams ? { extraParams } : {}) },
  });
  it('an undocumented name is refused unless the app names it, and then read as free text', () => {
    const p = { ...sms('STOP'), NewField: 'x' };
    const headers = { 'x-twilio-signature': twilioSignature(TOKEN, INBOUND_URL, p) };
    expect(inboundMessage(auth(), { headers, body: p }, 0)._unsafeUnwrapErr().code).toBe(
      'invalid_request',
    );
    expect(inboundMessage(auth(['NewField']), { headers, body: p }, 0)._unsafeUnwrap().text).toBe(
      'STOP',
    );
    const absorbing = { ...sms('STOP'), NewField: `From${VICTIM}` };
    const signed = { 'x-twilio-signature': twilioSignature(TOKEN, INBOUND_URL, absorbing) };
    expect(
      inboundMessage(auth(['NewField']), { headers: signed, body: absorbing }, 0).isErr(),
    ).toBe(true);
  });
  it('a name sorted before `From` (it could cut a Body) is refused at startup', () => {
    expect(() => validateInboundAuth(auth(['Comment']))).toThrow(/extraParams/);
    expect(() => twilioStatusWebhook({ authToken: TOKEN, extraParams: ['Comment'] })).toThrow(
      /extraParams/,
    );
  });
});
