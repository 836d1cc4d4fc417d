/**
 * One voice call through the Vonage Voice API: an inline NCCO reading the message, the
 * application's short-lived JWT, and what the reply means (the call's `uuid`, else the HTTP
 * status). @internal
 * @module
 */
import { callbackFor } from '../../src/delivery/report';
import { ttsLanguage } from '../../src/messages/voice';
import type { OutgoingMessage, SendOutcome } from '../../src/ports/sender';
import { httpCall, statusError } from '../../src/senders/http';
import { vonageJwt } from './jwt';
import { voiceNcco } from './ncco';
import { digits, type VonageSetup, type VonageVoiceSetup } from './options';

/** Places one call. */
export async function vonageCall(
  setup: VonageSetup,
  voice: VonageVoiceSetup,
  m: OutgoingMessage,
): Promise<SendOutcome> {
  const cfg = voice.options;
  const language = (cfg.language ?? ttsLanguage)(m.locale);
  const eventUrl = callbackFor(cfg.eventUrl, m);
  const body = {
    to: [{ type: 'phone', number: digits(m.to) }],
    from: { type: 'phone', number: digits(voice.callerId) },
    ncco: voiceNcco(m.text, {
      language,
      ...(cfg.pauseSeconds !== undefined ? { pauseSeconds: cfg.pauseSeconds } : {}),
    }),
    ...(eventUrl ? { event_url: [eventUrl] } : {}),
  };
  const jwt = vonageJwt(voice.key, {
    applicationId: cfg.applicationId,
    iat: Math.floor(setup.now() / 1000),
    ttlSeconds: cfg.tokenTtlSeconds ?? 300,
  });
  const res = await httpCall(setup.call, `${voice.base}/v1/calls`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${jwt}`,
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) return res;
  const { status, json, retryAfterMs } = res.reply;
  const uuid = (json as { uuid?: unknown } | undefined)?.uuid;
  if (status >= 200 && status < 300 && typeof uuid === 'string' && uuid !== '') {
    return { ok: true, messageId: uuid, provider: 'vonage' };
  }
  return {
    ok: false,
    error: statusError('vonage', status, retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}
