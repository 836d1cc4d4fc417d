/**
 * The parameters Twilio documents for its inbound-message webhook (SMS, MMS, WhatsApp) and
 * its message and call status callbacks, each with the shape of its value; why they are
 * checked: `./twilio-params.ts`. @internal
 * @module
 */
/**
 * A value's shape: a pattern, the sender's free text (`'text'`), text that may hold names
 * (`'loose'`: `ChannelMetadata`'s JSON), Twilio's own text in a status callback, which holds
 * no parameter name (`'twilio'`), or `Body` (anything).
 */
export type Shape = RegExp | 'text' | 'loose' | 'twilio' | 'body';

const ADDRESS = /^(whatsapp:)?\+[1-9]\d{1,14}$/;
const SID = /^[A-Z]{2}[0-9a-f]{32}$/;
const MESSAGE_SID = /^(SM|MM)[0-9a-f]{32}$/;
/** A status callback's `To`: digits, an optional `+` and `whatsapp:`. */
const STATUS_TO = /^(whatsapp:)?\+?[0-9]{1,15}$/;
/** A media type in lower case (`image/jpeg`, `audio/ogg; codecs=opus`): no parameter name fits. */
const CONTENT_TYPE = /^[a-z0-9.+-]{1,64}\/[a-z0-9.+-]{1,64}(; ?[a-z0-9-]{1,32}=[a-z0-9.-]{1,32})?$/;
/** An HTTPS URL with no `+` (Twilio's media and recording URLs hold SIDs, never `+`). */
const URL_SHAPE = /^https:\/\/[^\s+]{1,2048}$/;
/** A call's `Called`: a number, or a `client:`/`sip:` address. */
const CALLED = /^(whatsapp:|client:|sip:)?[\w+@.:-]{0,64}$/;
/** A call status callback's `Timestamp`, RFC 2822 (`Tue, 08 Dec 2026 01:49:18 +0000`). */
const RFC2822 = /^[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;

/**
 * Patterns whose values hold a `+` then a digit, or a SID, by design (addresses, SIDs,
 * URLs, timestamps): every other pattern's value must also pass the free-text rules of
 * `./twilio-params.ts` (no `+` then a digit, no SID, no parameter name), and these must
 * hold no parameter name. A pattern alone cannot be trusted to: `[\w.+-]` takes `From+1…`.
 */
export const ADDRESSING: ReadonlySet<RegExp> = new Set([
  ADDRESS,
  SID,
  MESSAGE_SID,
  STATUS_TO,
  URL_SHAPE,
  RFC2822,
  CALLED,
]);
const COUNT = /^\d{1,4}$/;
/** City, state, zip, country: letters, digits, spaces, punctuation; no `+` (and no name). */
export const PLACE = /^[\p{L}\p{M}\d .,'()/-]{0,64}$/u;
const WORD = /^[a-z_-]{1,32}$/;
const BOOLEAN = /^(true|false)$/;
const COORDINATE = /^-?\d{1,3}(\.\d{1,20})?$/;

const PLACES = (prefix: string): Record<string, Shape> =>
  Object.fromEntries(['City', 'State', 'Zip', 'Country'].map((p) => [`${prefix}${p}`, PLACE]));

/** WhatsApp-only inbound names (refused on an SMS). */
export const WHATSAPP_ONLY: Readonly<Record<string, Shape>> = {
  ProfileName: 'text',
  WaId: /^\d{1,15}$/,
  Forwarded: BOOLEAN,
  FrequentlyForwarded: BOOLEAN,
  ButtonText: 'text',
  ButtonPayload: 'text',
  Latitude: COORDINATE,
  Longitude: COORDINATE,
  Address: 'text',
  Label: 'text',
  ChannelMetadata: 'loose',
  ReferralNumMedia: COUNT,
  ReferralBody: 'text',
  ReferralHeadline: 'text',
  ReferralSourceId: 'text',
  ReferralSourceType: WORD,
  ReferralSourceUrl: 'text',
  ReferralMediaId: 'text',
  ReferralMediaContentType: CONTENT_TYPE,
  ReferralMediaUrl: 'text',
  ReferralCtwaClid: 'text',
  OriginalRepliedMessageSender: ADDRESS,
  OriginalRepliedMessageSid: SID,
};

/** Twilio's inbound-message parameters (SMS, MMS, WhatsApp), by name. */
export const INBOUND: Readonly<Record<string, Shape>> = {
  AccountSid: SID,
  ApiVersion: /^\d{4}-\d{2}-\d{2}$/,
  Body: 'body',
  From: ADDRESS,
  To: ADDRESS,
  MessageSid: MESSAGE_SID,
  SmsSid: MESSAGE_SID,
  SmsMessageSid: MESSAGE_SID,
  MessagingServiceSid: SID,
  NumMedia: COUNT,
  NumSegments: COUNT,
  SmsStatus: WORD,
  MessageType: WORD,
  OptOutType: /^[A-Z]{1,16}$/,
  ...PLACES('From'),
  ...PLACES('To'),
  ...WHATSAPP_ONLY,
};

/** Media parameters, numbered 0–9 (Twilio sends at most 10). */
export const MEDIA: readonly [RegExp, Shape][] = [
  [/^MediaUrl\d$/, URL_SHAPE],
  [/^MediaContentType\d$/, CONTENT_TYPE],
];

/** Twilio's message and call status-callback parameters. */
export const STATUS: Readonly<Record<string, Shape>> = {
  AccountSid: SID,
  ApiVersion: /^\d{4}-\d{2}-\d{2}$/,
  MessageSid: SID,
  SmsSid: SID,
  MessagingServiceSid: SID,
  MessageStatus: WORD,
  SmsStatus: WORD,
  ErrorCode: /^\d{1,6}$/,
  ErrorMessage: 'twilio',
  From: 'twilio',
  To: STATUS_TO,
  ChannelPrefix: WORD,
  ChannelInstallSid: SID,
  ChannelStatusMessage: 'twilio',
  ChannelToAddress: 'twilio',
  EventType: /^[A-Z_]{1,32}$/,
  RawDlrDoneDate: /^\d{1,14}$/,
  NumSegments: COUNT,
  NumMedia: COUNT,
  CallSid: SID,
  CallStatus: /^[a-z-]{1,32}$/,
  Called: CALLED,
  Caller: 'twilio',
  Direction: /^[a-z-]{1,32}$/,
  Timestamp: RFC2822,
  CallbackSource: /^[a-z-]{1,32}$/,
  SequenceNumber: COUNT,
  CallDuration: /^\d{1,9}$/,
  Duration: /^\d{1,9}$/,
  SipResponseCode: /^\d{3}$/,
  AnsweredBy: /^[a-z_]{1,32}$/,
  ParentCallSid: SID,
  ForwardedFrom: 'twilio',
  CallToken: 'twilio',
  StirVerstat: 'twilio',
  RecordingUrl: URL_SHAPE,
  RecordingSid: SID,
  RecordingDuration: /^\d{1,9}$/,
  MachineDetectionDuration: /^\d{1,9}$/,
  StructuredMessage: BOOLEAN,
  CallerName: 'twilio',
  ...PLACES('From'),
  ...PLACES('To'),
  ...PLACES('Called'),
  ...PLACES('Caller'),
};
