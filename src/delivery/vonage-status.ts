/**
 * Vonage webhooks as delivery reports: SMS API delivery receipts (`messageId`, `status`,
 * `err-code`, `msisdn`, `scts`, `client-ref`...; sent as a GET query or a POST body) and
 * Voice API call events (`uuid`, `status`).
 *
 * These only parse and do not authenticate: take receipts with `vonageReceiptWebhook` (the
 * `sig` of signed webhooks) and call events with `vonageCallWebhook` (the Voice JWT), both in
 * phoneproof/vonage, which check the signature first.
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
  wellFormedRef,
} from './report';
import { vonageReceiptError } from './vonage-codes';

const receiptStates: Readonly<Record<string, DeliveryState>> = {
  accepted: 'sent',
  buffered: 'sent',
  unknown: 'sent',
  delivered: 'delivered',
  expired: 'failed',
  failed: 'failed',
  rejected: 'failed',
};

const callStates: Readonly<Record<string, DeliveryState>> = {
  started: 'queued',
  ringing: 'sent',
  answered: 'delivered',
  machine: 'delivered',
  human: 'delivered',
  completed: 'delivered',
  busy: 'failed',
  cancelled: 'failed',
  failed: 'failed',
  rejected: 'failed',
  timeout: 'failed',
  unanswered: 'failed',
};

/** `2020-01-01 12:00:00` (UTC) or an ISO timestamp, as epoch ms. */
function parseTime(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(v) ? `${v.replace(' ', 'T')}Z` : v;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

const e164 = (msisdn: string | undefined) =>
  msisdn !== undefined && /^\+?\d{6,15}$/.test(msisdn)
    ? msisdn.startsWith('+')
      ? msisdn
      : `+${msisdn}`
    : undefined;

/**
 * Parses an SMS API delivery receipt (query or body parameters). Does not authenticate:
 * `vonageReceiptWebhook` checks `sig` first.
 */
export function parseVonageReceipt(params: WebhookParams): Result<DeliveryReport, VerifyError> {
  const map = paramMap(params);
  const messageId = first(map, 'messageId') ?? first(map, 'message-id');
  if (messageId === undefined) return badWebhook('Not a Vonage delivery receipt: no messageId.');
  const status = first(map, 'status')?.toLowerCase();
  if (status === undefined) return badWebhook('The Vonage delivery receipt has no status.');
  const state = receiptStates[status];
  if (state === undefined) return badWebhook(`"${status}" is not a delivery receipt status.`);
  const errCode = first(map, 'err-code') ?? '';
  const error =
    state === 'failed'
      ? (vonageReceiptError(errCode) ??
        deliveryError(status === 'expired' ? 'unreachable' : 'provider_error', {
          provider: 'vonage',
          providerCode: status,
        }))
      : undefined;
  const to = e164(first(map, 'msisdn'));
  const at = parseTime(first(map, 'message-timestamp'));
  const ref = wellFormedRef(first(map, 'client-ref'));
  return ok({
    provider: 'vonage',
    messageId,
    channel: 'sms',
    state,
    providerStatus: status,
    ...(error ? { error } : {}),
    ...(to ? { to } : {}),
    ...(at !== undefined ? { at } : {}),
    ...(ref !== undefined ? { ref } : {}),
  });
}

/**
 * Parses a Voice API call event (the JSON body posted to `event_url`). `url` (the request
 * URL) supplies the `ref` the adapter attached to `event_url`. Does not authenticate:
 * `vonageCallWebhook` checks the JWT first.
 */
export function parseVonageCallEvent(
  body: WebhookParams,
  url?: string,
): Result<DeliveryReport, VerifyError> {
  const map = paramMap(body);
  const uuid = first(map, 'uuid');
  if (uuid === undefined) return badWebhook('Not a Vonage call event: no uuid.');
  const status = first(map, 'status')?.toLowerCase();
  if (status === undefined) return badWebhook('The Vonage call event has no status.');
  const state = callStates[status];
  if (state === undefined) return badWebhook(`"${status}" is not a call status phoneproof tracks.`);
  const unreachable = ['busy', 'timeout', 'unanswered', 'rejected', 'cancelled'].includes(status);
  const error =
    state === 'failed'
      ? deliveryError(unreachable ? 'unreachable' : 'provider_error', {
          provider: 'vonage',
          providerCode: status,
        })
      : undefined;
  const to = e164(first(map, 'to'));
  const at = parseTime(first(map, 'timestamp'));
  const ref = url !== undefined ? refOf(url) : undefined;
  return ok({
    provider: 'vonage',
    messageId: uuid,
    channel: 'voice',
    state,
    providerStatus: status,
    ...(error ? { error } : {}),
    ...(to ? { to } : {}),
    ...(at !== undefined ? { at } : {}),
    ...(ref !== undefined ? { ref } : {}),
  });
}
