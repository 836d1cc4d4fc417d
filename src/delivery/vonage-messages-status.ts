/**
 * Vonage Messages API status webhooks (JSON: `message_uuid`, `status` submitted / delivered /
 * read / rejected / undeliverable, `channel`, `to`, `timestamp`, `client_ref`, and an RFC 7807
 * `error` when it failed), as delivery reports: what `vonageSender` needs for its WhatsApp
 * messages. This only parses and does not authenticate: take statuses with
 * `vonageStatusWebhook` (phoneproof/vonage), which checks the JWT and parses the signed bytes. Vonage's
 * own failure codes are kept as `providerCode` (`provider_error`): whether a number is on
 * WhatsApp is only called permanent when a provider code says so.
 * @module
 */
import { ok, type Result } from 'neverthrow';
import type { VerifyError } from '../errors';
import type { Channel } from '../ports/sender';
import { deliveryError } from './errors';
import { badWebhook, type DeliveryReport, type DeliveryState, wellFormedRef } from './report';

const states: Readonly<Record<string, DeliveryState>> = {
  submitted: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  rejected: 'failed',
  undeliverable: 'failed',
};

const channels: Readonly<Record<string, Channel>> = { sms: 'sms', whatsapp: 'whatsapp' };

/** The code of a Vonage problem (`...#1300` in `type`, else `title`). */
function problemCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, title } = error as { type?: unknown; title?: unknown };
  const fragment = typeof type === 'string' ? type.split('#')[1] : undefined;
  const code = fragment ?? (title !== undefined ? String(title) : undefined);
  return code !== undefined && /^[\w-]{1,64}$/.test(code) ? code : undefined;
}

/**
 * Parses one Messages API status webhook body (already JSON-parsed). Does not authenticate:
 * anyone can post a status; `vonageStatusWebhook` checks it first.
 */
export function parseVonageMessageStatus(body: unknown): Result<DeliveryReport, VerifyError> {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const messageId = typeof b.message_uuid === 'string' ? b.message_uuid : undefined;
  if (!messageId) return badWebhook('Not a Vonage Messages status: no message_uuid.');
  const status = typeof b.status === 'string' ? b.status.toLowerCase() : '';
  const state = Object.hasOwn(states, status) ? states[status] : undefined;
  if (state === undefined) return badWebhook('The Vonage Messages status is not one it sends.');
  const channel = Object.hasOwn(channels, String(b.channel))
    ? channels[String(b.channel)]
    : undefined;
  if (channel === undefined)
    return badWebhook('The Vonage Messages status is not SMS or WhatsApp.');
  const code = problemCode(b.error);
  const to = typeof b.to === 'string' && /^[1-9]\d{6,14}$/.test(b.to) ? `+${b.to}` : undefined;
  const at = typeof b.timestamp === 'string' ? Date.parse(b.timestamp) : Number.NaN;
  const ref = wellFormedRef(b.client_ref);
  return ok({
    provider: 'vonage',
    messageId,
    channel,
    state,
    providerStatus: status,
    ...(state === 'failed'
      ? {
          error: deliveryError('provider_error', {
            provider: 'vonage',
            providerCode: code ?? status,
          }),
        }
      : {}),
    ...(to ? { to } : {}),
    ...(Number.isNaN(at) ? {} : { at }),
    ...(ref !== undefined ? { ref } : {}),
  });
}
