/**
 * `whatsappWebhookHandler`: a Web-standard handler, `(request: Request) => Promise<Response>`,
 * for the WhatsApp Cloud API webhook URL. GET answers Meta's verification handshake; POST
 * reads at most `maxBodyBytes`, checks `X-Hub-Signature-256` over the exact bytes, then feeds
 * each status to `verifier.delivery` (found through the ref in `biz_opaque_callback_data`,
 * else the message id) and each inbound text to `verifier.consent.inbound` (STOP, START...).
 * A refused request (413, 415, 401) reaches neither. Replays change nothing: a repeated status
 * is not newer than what is recorded, a repeated inbound message id is ignored.
 * @module
 */

import type { ConsentInboundInput } from '../../src/consent/types';
import type { WhatsAppInbound } from '../../src/delivery/whatsapp-status';
import { type VerifyError, verifyError } from '../../src/errors';
import { errorResponse } from '../../src/http/errors';
import type { Verifier } from '../../src/verifier/types';
import { readBody } from '../fetch/body';
import { toResponse } from '../fetch/response';
import { type WhatsAppWebhookOptions, whatsappWebhook } from './webhook';

export interface WhatsAppWebhookHandlerOptions extends WhatsAppWebhookOptions {
  /** Largest body read, bytes (default 1 MiB); a longer body is 413 and is not read. */
  readonly maxBodyBytes?: number;
}

/** What a handled notification did (the 200 answer's body). */
export interface WhatsAppWebhookSummary {
  /** Statuses recorded on a verification. */
  readonly reports: number;
  /** Statuses that matched no verification (expired, erased, or not phoneproof's). */
  readonly unmatched: number;
  /** Inbound text messages given to the consent keywords. */
  readonly inbound: number;
}

const DEFAULT_MAX_BODY = 1024 * 1024;

/** The consent input for a WhatsApp inbound message: a STOP here opts out like an SMS STOP. */
export function whatsappConsentInput(m: WhatsAppInbound): ConsentInboundInput {
  return {
    from: m.from,
    text: m.text,
    messageId: m.messageId,
    channel: 'whatsapp',
    ...(m.at !== undefined ? { sentAt: m.at } : {}),
  };
}

const failed = (e: VerifyError) => toResponse(errorResponse(e));

/** The handshake's answer: Meta compares the body to its `hub.challenge`, so plain text. */
const challengeResponse = (challenge: string) =>
  new Response(challenge, { status: 200, headers: { 'content-type': 'text/plain' } });

/** Errors Meta should retry the notification for (the store is down...), not "no match". */
const serverSide = (e: VerifyError) => errorResponse(e).status >= 500;

/** Builds the handler. Throws on misconfiguration. */
export function whatsappWebhookHandler(
  verifier: Pick<Verifier, 'delivery' | 'consent'>,
  options: WhatsAppWebhookHandlerOptions,
): (request: Request) => Promise<Response> {
  const hook = whatsappWebhook(options);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  if (!Number.isSafeInteger(limit) || limit < 1024) {
    throw new TypeError('phoneproof/whatsapp: maxBodyBytes must be an integer >= 1024.');
  }
  return async (request) => {
    if (request.method === 'GET') {
      const r = hook.handshake(new URL(request.url).searchParams);
      return r.isOk() ? challengeResponse(r.value) : failed(r.error);
    }
    if (request.method !== 'POST') return failed(verifyError('not_found'));
    const read = await readBody(request, { form: false, keepRaw: true, limit });
    if (read.isErr()) return failed(read.error);
    const events = hook.read({
      body: read.value.raw ?? '',
      signature: request.headers.get('x-hub-signature-256'),
    });
    if (events.isErr()) return failed(events.error);
    const summary = { reports: 0, unmatched: 0, inbound: 0 };
    for (const report of events.value.reports) {
      const r = await verifier.delivery({ report });
      if (r.isErr() && serverSide(r.error)) return failed(r.error);
      summary[r.isOk() ? 'reports' : 'unmatched'] += 1;
    }
    for (const m of events.value.inbound) {
      const r = await verifier.consent.inbound(whatsappConsentInput(m));
      if (r.isErr() && serverSide(r.error)) return failed(r.error);
      if (r.isOk()) summary.inbound += 1;
    }
    return toResponse({ status: 200, body: summary satisfies WhatsAppWebhookSummary });
  };
}
