/**
 * Twilio status callbacks: the message `StatusCallback` (MessageSid, MessageStatus,
 * ErrorCode; a WhatsApp message's `To` is `whatsapp:+...`) and the call `StatusCallback`
 * (CallSid, CallStatus), as delivery reports.
 * Validate the signature first (`validateTwilioSignature`); this only parses.
 * @module
 */
import { ok, type Result } from 'neverthrow';
import type { VerifyError } from '../errors';
import { deliveryError } from './errors';
import {
  badWebhook,
  type DeliveryReport,
  type DeliveryState,
  first,
  paramMap,
  refOf,
  type WebhookParams,
} from './report';
import { readTwilioAddress } from './twilio-address';
import { twilioCodeError } from './twilio-codes';

const messageStates: Readonly<Record<string, DeliveryState>> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'queued',
  sent: 'sent',
  partially_delivered: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

const callStates: Readonly<Record<string, DeliveryState>> = {
  queued: 'queued',
  initiated: 'queued',
  ringing: 'sent',
  'in-progress': 'delivered',
  completed: 'delivered',
  busy: 'failed',
  'no-answer': 'failed',
  failed: 'failed',
  canceled: 'failed',
};

function failure(status: string, errorCode: string | undefined) {
  const code = errorCode !== undefined && /^\d+$/.test(errorCode) ? Number(errorCode) : undefined;
  const known = code !== undefined ? twilioCodeError(code) : undefined;
  if (known) return known;
  const reason = status === 'busy' || status === 'no-answer' ? 'unreachable' : 'provider_error';
  return deliveryError(reason, {
    provider: 'twilio',
    ...(code !== undefined ? { providerCode: code } : { providerCode: status }),
  });
}

function parseTimestamp(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Parses a Twilio status callback. `url` (the request URL) supplies the `ref` the adapter
 * attached. Inbound-message callbacks and unknown statuses are `invalid_request`.
 */
export function parseTwilioStatus(
  params: WebhookParams,
  url?: string,
): Result<DeliveryReport, VerifyError> {
  const map = paramMap(params);
  const messageSid = first(map, 'MessageSid') ?? first(map, 'SmsSid');
  const callSid = first(map, 'CallSid');
  const isCall = messageSid === undefined && callSid !== undefined;
  const messageId = messageSid ?? callSid;
  if (messageId === undefined)
    return badWebhook('Not a Twilio status callback: no MessageSid or CallSid.');
  const status = (
    isCall ? first(map, 'CallStatus') : (first(map, 'MessageStatus') ?? first(map, 'SmsStatus'))
  )?.toLowerCase();
  if (status === undefined) return badWebhook('The Twilio status callback has no status.');
  const state = (isCall ? callStates : messageStates)[status];
  if (state === undefined) {
    return badWebhook(`"${status}" is not an outbound ${isCall ? 'call' : 'message'} status.`);
  }
  const { address: to, whatsapp: prefixed } = readTwilioAddress(
    first(map, 'To') ?? first(map, 'Called'),
  );
  const whatsapp = prefixed || first(map, 'ChannelPrefix') === 'whatsapp';
  const at = parseTimestamp(first(map, 'Timestamp'));
  const ref = url !== undefined ? refOf(url) : undefined;
  return ok({
    provider: 'twilio',
    messageId,
    channel: isCall ? 'voice' : whatsapp ? 'whatsapp' : 'sms',
    state,
    providerStatus: status,
    ...(state === 'failed' ? { error: failure(status, first(map, 'ErrorCode')) } : {}),
    ...(to?.startsWith('+') ? { to } : {}),
    ...(at !== undefined ? { at } : {}),
    ...(ref !== undefined ? { ref } : {}),
  });
}
