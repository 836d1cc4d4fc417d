/**
 * One SMS through the Vonage SMS API: the form fields (Unicode only when the text is not GSM-7,
 * the message's ref as `client-ref`), and what the reply means (a `message-id`, or a Vonage
 * status code mapped to a typed delivery error). @internal
 * @module
 */
import { deliveryError } from '../../src/delivery/errors';
import { callbackFor, deliveryRef } from '../../src/delivery/report';
import { vonageSendError } from '../../src/delivery/vonage-codes';
import { isGsm7 } from '../../src/messages/sms-encoding';
import type { OutgoingMessage, SendOutcome } from '../../src/ports/sender';
import { formBody, httpCall, statusError } from '../../src/senders/http';
import { digits, type VonageSetup } from './options';

/** Sends one SMS. */
export async function vonageSms(setup: VonageSetup, m: OutgoingMessage): Promise<SendOutcome> {
  const o = setup.options;
  const callback = callbackFor(o.statusCallback, m);
  const fields: Array<[string, string]> = [
    ['api_key', o.apiKey],
    ['api_secret', o.apiSecret],
    ['from', /^\+\d+$/.test(o.from) ? digits(o.from) : o.from],
    ['to', digits(m.to)],
    ['text', m.text],
    ...(isGsm7(m.text) ? [] : ([['type', 'unicode']] as Array<[string, string]>)),
    ['client-ref', deliveryRef(m)],
    ...(callback ? ([['callback', callback]] as Array<[string, string]>) : []),
  ];
  const res = await httpCall(setup.call, `${setup.smsBase}/sms/json`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: formBody(fields),
  });
  if (!res.ok) return res;
  const { status, json, retryAfterMs } = res.reply;
  if (status !== 200) {
    return {
      ok: false,
      error: statusError('vonage', status, retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  const first = (json as { messages?: Array<Record<string, unknown>> } | undefined)?.messages?.[0];
  const code = first ? String(first.status ?? '') : '';
  const error =
    code === '' ? deliveryError('provider_error', { provider: 'vonage' }) : vonageSendError(code);
  if (error) return { ok: false, error };
  const id = first?.['message-id'];
  return typeof id === 'string' && id !== ''
    ? { ok: true, messageId: id, provider: 'vonage' }
    : { ok: false, error: deliveryError('provider_error', { provider: 'vonage' }) };
}
