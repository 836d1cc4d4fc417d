/**
 * The Twilio REST API as `twilioSender` uses it: the form fields of a message (Messages API:
 * SMS, or WhatsApp with a Content API template) or a call with inline TwiML (Calls API), and what a reply means (a `sid`, or a Twilio error
 * code mapped to a typed delivery error, else the HTTP status). @internal
 * @module
 */
import { callbackFor } from '../../src/delivery/report';
import { twilioWhatsAppAddress } from '../../src/delivery/twilio-address';
import { twilioCodeError } from '../../src/delivery/twilio-codes';
import { ttsLanguage } from '../../src/messages/voice';
import type { OutgoingMessage, SendOutcome } from '../../src/ports/sender';
import { type HttpReply, replyOutcome } from '../../src/senders/http';
import type { TwilioSetup } from './options';
import { voiceTwiml } from './twiml';

/**
 * The form fields of a WhatsApp authentication template: `whatsapp:` addresses, the locale's
 * Content SID and the code as its variable (never the SMS text).
 */
function whatsappFields(setup: TwilioSetup, m: OutgoingMessage, contentSid: string) {
  const w = setup.whatsapp!;
  const sender: [string, string] = w.from
    ? ['From', w.from]
    : ['MessagingServiceSid', setup.options.messagingServiceSid!];
  return [
    ['To', twilioWhatsAppAddress(m.to)],
    sender,
    ['ContentSid', contentSid],
    ['ContentVariables', JSON.stringify({ [w.codeVariable]: m.code })],
  ] satisfies Array<[string, string]>;
}

/**
 * The form fields of a message or a call (for WhatsApp, `contentSid` is the locale's
 * template, which the sender has looked up).
 */
export function twilioFields(
  setup: TwilioSetup,
  m: OutgoingMessage,
  contentSid?: string,
): Array<[string, string]> {
  const o = setup.options;
  const callback = callbackFor(o.statusCallback, m);
  const tail: Array<[string, string]> = callback ? [['StatusCallback', callback]] : [];
  if (m.channel === 'whatsapp' && contentSid !== undefined) {
    return [...whatsappFields(setup, m, contentSid), ...tail];
  }
  if (m.channel === 'voice') {
    const language = (o.voice?.language ?? ttsLanguage)(m.locale);
    const twiml = voiceTwiml(m.text, {
      language,
      ...(o.voice?.voice ? { voice: o.voice.voice } : {}),
      ...(o.voice?.pauseSeconds !== undefined ? { pauseSeconds: o.voice.pauseSeconds } : {}),
    });
    return [['To', m.to], ['From', setup.callerId!], ['Twiml', twiml], ...tail];
  }
  const sender: [string, string] = o.messagingServiceSid
    ? ['MessagingServiceSid', o.messagingServiceSid]
    : ['From', o.from!];
  return [['To', m.to], sender, ['Body', m.text], ...tail];
}

/** What Twilio's reply to a message or call means. */
export function twilioOutcome(reply: HttpReply): SendOutcome {
  const json = reply.json;
  const body = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const code = typeof body.code === 'number' ? body.code : Number(body.code);
  return replyOutcome('twilio', reply, body.sid, code, twilioCodeError);
}
