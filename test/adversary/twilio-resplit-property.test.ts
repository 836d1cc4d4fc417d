/**
 * Property: for random genuine Twilio inbound messages (SMS and WhatsApp; bodies and
 * profile names built from parameter names, `+` and digits, `whatsapp:`, SIDs and keywords,
 * and bodies built as attacks: a keyword, a forged `From`, a name that could absorb the real one)
 * and every re-split of the signed string into documented names in sorted order (the
 * signature holds for each), the message read is refused or has the genuine `From`, `Body`,
 * `MessageSid` and `To`. One residue, documented in `src/delivery/twilio-params.ts`: on
 * WhatsApp, a genuine Body that itself holds one of the names sorted between `Body` and
 * `From` may be read shorter (its own prefix), from the genuine sender.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INBOUND } from '../../src/delivery/twilio-param-names';
import { twilioParamFits } from '../../src/delivery/twilio-params';
import { twilioSignature } from '../../src/delivery/twilio-signature';
import { inboundMessage } from '../../src/http/inbound';

const TOKEN = 'twilio-auth-token-0123456789abcdef';
const URL_ = 'https://verify.acme.example/inbound-sms';
const NAMES = [...Object.keys(INBOUND), 'MediaUrl0', 'MediaContentType0'].sort();
const BETWEEN = [
  'ButtonPayload',
  'ButtonText',
  'ChannelMetadata',
  'Forwarded',
  'FrequentlyForwarded',
];
/** Most re-splits one message is searched for (the count grows with names inside values). */
const MAX_SPLITS = 4000;

const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
const number = fc.stringMatching(/^\+1[2-9]\d{9}$/);
const token = fc.oneof(
  fc.constantFrom(...NAMES, '+', 'whatsapp:', 'START', 'STOP', ' ', 'SM', 'From+1', 'To+1'),
  number,
  hex32.map((h) => `SM${h}`),
  fc.stringMatching(/^[a-z0-9 ]{0,6}$/),
);
const text = fc.array(token, { maxLength: 6 }).map((t) => t.join(''));
/** A start of a value of the shape of `name` (where a forged field could begin). */
const startOf = (name: string) =>
  name.startsWith('MediaContentType') || name === 'ReferralMediaContentType'
    ? 'a/b'
    : name.startsWith('MediaUrl') || name === 'ReferralMediaUrl' || name === 'ReferralSourceUrl'
      ? 'https://x'
      : /^(From|To)(City|State|Zip|Country)$/.test(name)
        ? 'US'
        : 'x';
/**
 * Attack bodies, which uniform tokens almost never build: a keyword, a forged `From`, then a
 * name sorted after `From` that could absorb the real one, with a start of a value of its
 * shape (`a/b` a media type, `https://x` a URL, `US` a place...).
 */
const attack = fc
  .tuple(
    fc.constantFrom('START', 'STOP'),
    fc.constantFrom('', 'whatsapp:'),
    number,
    fc.constantFrom(...NAMES.filter((n) => n > 'From')),
  )
  .map(([keyword, prefix, n, name]) => `${keyword}From${prefix}${n}${name}${startOf(name)}`);

const genuine = fc
  .record({
    whatsapp: fc.boolean(),
    from: number,
    to: number,
    sid: hex32.map((h) => `SM${h}`),
    account: hex32.map((h) => `AC${h}`),
    body: fc.oneof({ arbitrary: text, weight: 1 }, { arbitrary: attack, weight: 3 }),
    city: fc.option(fc.constantFrom('SAN FRANCISCO', 'LOS ANGELES', 'LONDON'), { nil: undefined }),
    state: fc.option(fc.constantFrom('CA', 'NY'), { nil: undefined }),
    profile: fc.option(text, { nil: undefined }),
    button: fc.option(text, { nil: undefined }),
    forwarded: fc.option(fc.constantFrom('true', 'false'), { nil: undefined }),
    smsSid: fc.boolean(),
  })
  .map((g) => {
    const wa = (n: string) => (g.whatsapp ? `whatsapp:${n}` : n);
    const p: Record<string, string> = {
      AccountSid: g.account,
      ApiVersion: '2010-04-01',
      Body: g.body,
      From: wa(g.from),
      MessageSid: g.sid,
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      To: wa(g.to),
      ToCountry: 'US',
    };
    if (g.smsSid) Object.assign(p, { SmsSid: g.sid, SmsMessageSid: g.sid });
    if (g.city !== undefined) Object.assign(p, { FromCity: g.city, FromCountry: 'US' });
    if (g.state !== undefined) Object.assign(p, { FromState: g.state, FromCountry: 'US' });
    if (g.whatsapp) {
      p.WaId = g.from.slice(1);
      if (g.profile !== undefined) p.ProfileName = g.profile;
      if (g.button !== undefined) p.ButtonText = g.button;
      if (g.forwarded !== undefined) p.Forwarded = g.forwarded;
    }
    return p;
  });

/** The signed string after the URL: names sorted, `name + value`, no separator. */
const signed = (p: Record<string, string>) =>
  Object.keys(p)
    .sort()
    .map((n) => n + p[n])
    .join('');

/** The parameters as sorted `[name, value]` pairs (two splits compared). */
const signedPairs = (p: Record<string, string>) =>
  JSON.stringify(Object.entries(p).sort(([a], [b]) => (a < b ? -1 : 1)));

/** Every split of `s` into documented names in sorted order, each value of its shape. */
function splits(s: string): Record<string, string>[] {
  const starts = new Set<number>([s.length]);
  for (const n of NAMES) for (let i = s.indexOf(n); i >= 0; i = s.indexOf(n, i + 1)) starts.add(i);
  const ends = [...starts].sort((a, b) => a - b);
  const out: Record<string, string>[] = [];
  const walk = (pos: number, last: string, acc: Record<string, string>) => {
    if (out.length >= MAX_SPLITS) return;
    if (pos === s.length) {
      out.push({ ...acc });
      return;
    }
    for (const n of NAMES) {
      if (n <= last || !s.startsWith(n, pos)) continue;
      const from = pos + n.length;
      for (const end of ends) {
        if (end < from) continue;
        const value = s.slice(from, end);
        if (!twilioParamFits('inbound', n, value)) continue;
        acc[n] = value;
        walk(end, n, acc);
        delete acc[n];
      }
    }
  };
  walk(0, '', {});
  return out;
}

describe('re-splits of a signed Twilio inbound message', () => {
  it('are refused or read as the genuine From, Body, MessageSid and To', () => {
    let accepted = 0;
    let moved = 0;
    fc.assert(
      fc.property(genuine, (g) => {
        const signature = twilioSignature(TOKEN, URL_, g);
        const headers = { 'x-twilio-signature': signature };
        const auth = { twilio: { authToken: TOKEN, url: URL_ } };
        const truth = inboundMessage(auth, { headers, body: g }, 0);
        for (const forged of splits(signed(g))) {
          expect(signed(forged)).toBe(signed(g));
          const r = inboundMessage(auth, { headers, body: forged }, 0);
          if (r.isErr()) continue;
          accepted++;
          const same = signedPairs(forged) === signedPairs(g);
          if (!same) moved++;
          const m = r.value;
          expect(`${m.channel === 'whatsapp' ? 'whatsapp:' : ''}${m.from}`).toBe(g.From);
          expect(m.messageId).toBe(g.MessageSid);
          expect(forged.To).toBe(g.To);
          const residue =
            g.From?.startsWith('whatsapp:') && BETWEEN.some((n) => g.Body?.includes(n));
          if (residue) expect(g.Body?.startsWith(m.text)).toBe(true);
          else expect(m.text).toBe(g.Body);
          if (truth.isOk()) expect(truth.value.from).toBe(m.from);
        }
      }),
      { numRuns: 300 },
    );
    // The search found splits Twilio's own message parses into (each genuine one, at least).
    expect(accepted).toBeGreaterThan(0);
    console.info(
      `re-splits accepted: ${accepted}, of which other than the genuine split: ${moved}`,
    );
  });
});
