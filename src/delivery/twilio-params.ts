/**
 * Which form parameters a signed Twilio webhook may carry, and the shape of each value.
 *
 * Why: Twilio signs the URL followed by every parameter's `name + value`, sorted by name, with
 * no separator (`./twilio-signature.ts`), so the boundaries are not signed. A sender who
 * texts our number `STARTFrom+<victim>FromA` gets a signature that also covers
 * `Body=START&From=<victim>&FromA=From<attacker>`; Twilio signs no timestamp, so any
 * leaked signature is a START (or STOP) from anyone, forever. The defense is to read a
 * signed request only when its split is the only one Twilio could have sent:
 *
 * 1. Every name is one Twilio documents for that webhook (or one the app names, `extra`);
 *    an unknown name is refused (fail closed), and each name appears once.
 * 2. Every value Twilio controls has its strict shape: `From`/`To` are E.164 or
 *    `whatsapp:`+E.164, SIDs two capitals and 32 hex digits, counts digits, geography
 *    letters and digits with no `+` and no parameter name… The sender's own free text
 *    other than `Body` (`ProfileName`, `Address`, `Label`, `ButtonText`, …, and the app's
 *    extra names) holds no `+` followed by a digit, nothing of a SID's shape, and no
 *    parameter name except `To`; `ChannelMetadata` (JSON) no `+` then a digit and no SID.
 *    A message that breaks these is refused, also when genuine: its sender must change
 *    their WhatsApp profile name to text STOP here; Twilio's own opt-out still applies.
 * 3. `From` and `MessageSid` are required (Twilio sends both, and `To`); `SmsSid` and
 *    `SmsMessageSid`, when present, equal `MessageSid`; WhatsApp-only names are refused on
 *    an SMS.
 *
 * Why the remaining splits keep `From`, `To`, `MessageSid` and `Body` (inbound):
 * - `From`. A `+` followed by a digit is allowed only in `From`, `To`, `Body` and
 *   `OriginalRepliedMessageSender` (always preceded by that name). The real
 *   `From`'s `+d` must land in a forged value that allows it. Not `To`: a forged `To`'s value
 *   starts with `+` or `whatsapp:` right after the letters `To`, and the real value is
 *   preceded by `From`. Not `Body`: a forged `From` after it would need another `+d` later
 *   in the string preceded by `From`, and the only one left is the real `To`'s (preceded by
 *   `To`). So it lands in the forged `From`, which starts where the real value starts (it
 *   begins with `+`/`whatsapp:` right after `From`) and ends where its digits end (a name
 *   starts with a capital): the same `From`, at the same place.
 * - `To`, after that fixed `From`: the only `+d` left is the real `To`'s; same argument.
 * - `MessageSid`: the only `MessageSid` followed by `SM`/`MM` and 32 hex digits after
 *   `From` are the real `MessageSid` and the tail of `SmsMessageSid`, equal by rule 3 (free
 *   text holds no SID; a media URL's `Messages/MM…` is not `MessageSid`).
 * - `Body` starts at the real `Body`: a forged `Body` elsewhere would need the field before
 *   it to swallow the real `Body` name, and the names sorted before `Body` are `AccountSid`
 *   (a SID), `Address` (free text, which holds no name) and `ApiVersion` (a date). It ends
 *   at the real `From` on an SMS (no name sorts between them there). On WhatsApp `ButtonPayload`, `ButtonText`,
 *   `ChannelMetadata`, `Forwarded` and `FrequentlyForwarded` sort between: a `Body` holding
 *   one of them is refused (no forged `Body` swallows a real field), and the residue is that
 *   a sender's own text which holds one of those names literally can be read shorter (only
 *   their own message, from their own number). test/adversary/twilio-resplit-property.test.ts
 *   checks all four over random re-splits. Either free-text rule alone (no `+` then a digit;
 *   no parameter name) keeps that property and the attacks of
 *   test/adversary/twilio-resplit.test.ts refused: each was checked with the other removed.
 * @module
 */
import { paramMap, type WebhookParams } from './report';
import {
  ADDRESSING,
  INBOUND,
  MEDIA,
  type Shape,
  STATUS,
  WHATSAPP_ONLY,
} from './twilio-param-names';

/** Every documented name but `To` (whose value always holds `+` and a digit). */
const NAMES = [...new Set([...Object.keys(INBOUND), ...Object.keys(STATUS)])].filter(
  (n) => n !== 'To',
);

/** An extra parameter name an app may allow: a capital, letters and digits. */
const EXTRA_NAME = /^[A-Z][A-Za-z0-9]{1,63}$/;

/** What is wrong with an `extraParams` list, or undefined. */
export function extraParamsProblem(extra: unknown): string | undefined {
  if (extra === undefined) return undefined;
  if (!Array.isArray(extra)) return 'must be a list of parameter names';
  for (const n of extra) {
    if (typeof n !== 'string' || !EXTRA_NAME.test(n)) {
      return `names must be a capital then letters and digits (got ${JSON.stringify(n)})`;
    }
    // Sorted between `Body` and `From`, a name found in a message's text could cut its Body.
    if (n < 'From') return `names must sort after "From" (got ${JSON.stringify(n)})`;
  }
  return undefined;
}

function shapeOf(
  kind: 'inbound' | 'status',
  name: string,
  extra: readonly string[],
): Shape | undefined {
  const table = kind === 'inbound' ? INBOUND : STATUS;
  if (Object.hasOwn(table, name)) return table[name];
  if (kind === 'inbound') for (const [n, s] of MEDIA) if (n.test(name)) return s;
  return extra.includes(name) ? 'text' : undefined;
}

/** Whether a value holds a parameter name (a name another split could start at). */
const holdsName = (v: string) => NAMES.some((n) => v.includes(n));

/** Whether text could hold a `From`/`To` or a SID (`+` then a digit, a SID's shape). */
const holdsAddress = (v: string) => /\+\d/.test(v) || /[A-Z]{2}[0-9a-f]{32}/.test(v);

/** Whether free text (not `Body`) could host or swallow a boundary. */
const textProblem = (v: string) =>
  holdsAddress(v) || holdsName(v) || /Media(Url|ContentType)\d/.test(v);

function fits(shape: Shape, v: string): boolean {
  if (shape === 'body') return true;
  if (shape === 'text') return !textProblem(v);
  if (shape === 'loose') return !holdsAddress(v);
  if (shape === 'twilio') return !holdsName(v);
  // A pattern bounds a value's characters, not what a re-split can put in them: every value
  // keeps the free-text rules, but those that hold `+d` or a SID by design keep only "no name".
  if (!shape.test(v)) return false;
  return ADDRESSING.has(shape) ? !holdsName(v) : !textProblem(v);
}

/** Whether `name` is a parameter of that webhook (or an `extra` one) and `value` has its shape. */
export function twilioParamFits(
  kind: 'inbound' | 'status',
  name: string,
  value: string,
  extra: readonly string[] = [],
): boolean {
  const shape = shapeOf(kind, name, extra);
  return shape !== undefined && fits(shape, value);
}

/** On WhatsApp, the names sorted between `Body` and `From`. */
const BETWEEN_BODY_AND_FROM = [
  'ButtonPayload',
  'ButtonText',
  'ChannelMetadata',
  'Forwarded',
  'FrequentlyForwarded',
];

/**
 * Why a signed Twilio webhook's parameters cannot be taken as Twilio sent them, or
 * undefined. `extra`: names the app allows beyond the documented ones (free text).
 */
export function twilioParamsProblem(
  kind: 'inbound' | 'status',
  params: WebhookParams,
  extra: readonly string[] = [],
): string | undefined {
  const map = paramMap(params);
  const one = new Map<string, string>();
  for (const [name, values] of map) {
    if (values.length !== 1) return `repeats \`${name}\``;
    const v = values[0] as string;
    const shape = shapeOf(kind, name, extra);
    if (shape === undefined) return `carries \`${name}\`, not a Twilio parameter`;
    if (!fits(shape, v)) {
      return `has a \`${name}\` of the wrong shape`;
    }
    one.set(name, v);
  }
  if (kind === 'status') return undefined;
  for (const name of ['From', 'MessageSid']) {
    if (!one.has(name)) return `has no \`${name}\``;
  }
  const sid = one.get('MessageSid');
  for (const name of ['SmsSid', 'SmsMessageSid']) {
    if (one.has(name) && one.get(name) !== sid)
      return `has a \`${name}\` other than its MessageSid`;
  }
  const whatsapp = one.get('From')?.startsWith('whatsapp:') === true;
  if (!whatsapp) {
    const wa = [...one.keys()].find((n) => Object.hasOwn(WHATSAPP_ONLY, n));
    if (wa !== undefined) return `is an SMS carrying the WhatsApp parameter \`${wa}\``;
  } else if (BETWEEN_BODY_AND_FROM.some((n) => one.get('Body')?.includes(n))) {
    return 'has a Body holding a parameter name';
  }
  return undefined;
}
