/**
 * WhatsApp Cloud API webhooks (`object: "whatsapp_business_account"`, field `messages`): each
 * `statuses[]` entry (sent, delivered, read, failed with `errors[]`) as a delivery report
 * carrying the `ref` the sender put in `biz_opaque_callback_data`, and each inbound `messages[]`
 * entry of type `text` as a message for the consent keywords (STOP...). One notification may
 * batch several entries, changes, statuses and messages. Check `X-Hub-Signature-256` first
 * (`validateWhatsAppSignature`); this only parses.
 * @module
 */
import { ok, type Result } from 'neverthrow';
import type { VerifyError } from '../errors';
import { deliveryError } from './errors';
import { badWebhook, type DeliveryReport, type DeliveryState, wellFormedRef } from './report';
import { whatsappCodeError } from './whatsapp-codes';

/** A text message a WhatsApp user sent to the business number. */
export interface WhatsAppInbound {
  /** The sender, E.164. */
  readonly from: string;
  /** The text, verbatim. */
  readonly text: string;
  /** Meta's message id (`wamid...`). */
  readonly messageId: string;
  /** Meta's time of the message, epoch ms. */
  readonly at?: number;
}

/** What one webhook notification says. */
export interface WhatsAppEvents {
  readonly reports: readonly DeliveryReport[];
  readonly inbound: readonly WhatsAppInbound[];
}

const states: Readonly<Record<string, DeliveryState>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  failed: 'failed',
};

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
const e164 = (waId: string | undefined) =>
  waId !== undefined && /^[1-9]\d{6,14}$/.test(waId) ? `+${waId}` : undefined;
const epochMs = (v: unknown) => {
  const s = str(v);
  return s !== undefined && /^\d{1,12}$/.test(s) ? Number(s) * 1000 : undefined;
};

function failure(errors: unknown) {
  const code = Number(obj(list(errors)[0])?.code);
  const known = Number.isInteger(code) ? whatsappCodeError(code) : undefined;
  return (
    known ??
    deliveryError('provider_error', {
      provider: 'whatsapp',
      providerCode: Number.isInteger(code) ? code : 'failed',
    })
  );
}

function report(s: Json): DeliveryReport | undefined {
  const messageId = str(s.id);
  const status = str(s.status)?.toLowerCase();
  const state = status !== undefined && Object.hasOwn(states, status) ? states[status] : undefined;
  if (messageId === undefined || status === undefined || state === undefined) return undefined;
  const to = e164(str(s.recipient_id));
  const at = epochMs(s.timestamp);
  const ref = wellFormedRef(str(s.biz_opaque_callback_data));
  return {
    provider: 'whatsapp',
    messageId,
    channel: 'whatsapp',
    state,
    providerStatus: status,
    ...(state === 'failed' ? { error: failure(s.errors) } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(at !== undefined ? { at } : {}),
    ...(ref !== undefined ? { ref } : {}),
  };
}

function inbound(m: Json): WhatsAppInbound | undefined {
  const from = e164(str(m.from));
  const messageId = str(m.id);
  const text = obj(m.text)?.body;
  if (m.type !== 'text' || from === undefined || messageId === undefined) return undefined;
  if (typeof text !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(messageId)) return undefined;
  const at = epochMs(m.timestamp);
  return { from, text, messageId, ...(at !== undefined ? { at } : {}) };
}

/**
 * Parses one Cloud API webhook notification (the JSON body). Statuses of an unknown kind and
 * messages other than text are skipped; a body that is not a WhatsApp Business Account
 * notification is `invalid_request`. With `phoneNumberIds`, only changes for those business
 * numbers (`value.metadata.phone_number_id`) are read: one Meta app may serve several
 * numbers, and another number's keywords and statuses are not this verifier's.
 */
export function parseWhatsAppWebhook(
  payload: unknown,
  phoneNumberIds?: readonly string[],
): Result<WhatsAppEvents, VerifyError> {
  const body = obj(payload);
  if (body?.object !== 'whatsapp_business_account' || !Array.isArray(body.entry)) {
    return badWebhook('Not a WhatsApp Business Account webhook notification.');
  }
  const reports: DeliveryReport[] = [];
  const messages: WhatsAppInbound[] = [];
  for (const entry of body.entry) {
    for (const change of list(obj(entry)?.changes)) {
      const c = obj(change);
      const value = obj(c?.value);
      if (c?.field !== 'messages' || value === undefined) continue;
      const number = obj(value.metadata)?.phone_number_id;
      if (phoneNumberIds && !phoneNumberIds.some((id) => id === number)) continue;
      for (const s of list(value.statuses)) {
        const r = obj(s) && report(obj(s)!);
        if (r) reports.push(r);
      }
      for (const m of list(value.messages)) {
        const i = obj(m) && inbound(obj(m)!);
        if (i) messages.push(i);
      }
    }
  }
  return ok({ reports, inbound: messages });
}
