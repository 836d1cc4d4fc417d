/**
 * Provider requests for the inbound-webhook attack tests, as the providers send them: Twilio's
 * inbound-message form fields, Vonage's SMS API inbound fields with their `sig`, the JWT
 * Vonage's Messages API puts in `Authorization` over a
 * body, and a POST that reads the answer's JSON back. One statement of each, for every attack
 * file that forges or replays them.
 * @module
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

/** Fields as `application/x-www-form-urlencoded`. */
export const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** A fresh Twilio message SID (`SM` and 32 hex digits). */
export const twilioSid = () => `SM${randomUUID().replace(/-/g, '')}`;

/** Twilio's inbound-message webhook fields (a subset, as Twilio posts them). */
export function twilioInbound(
  from: string,
  body: string,
  sid = twilioSid(),
): Record<string, string> {
  return {
    ToCountry: 'US',
    SmsMessageSid: sid,
    NumMedia: '0',
    SmsSid: sid,
    SmsStatus: 'received',
    Body: body,
    To: '+15005550006',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: 'ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    From: from,
    ApiVersion: '2010-04-01',
  };
}

/**
 * Vonage's SMS API `sig` (HMAC-SHA256 over `&name=value` for each name but `sig`, sorted, with
 * `&` and `=` in values as `_`), written from Vonage's docs, apart from phoneproof's own signer.
 */
export function vonageSmsSig(params: Record<string, string>, secret: string): string {
  let s = '';
  for (const k of Object.keys(params).sort()) {
    if (k === 'sig') continue;
    s += `&${k}=${params[k]!.replace(/[&=]/g, '_')}`;
  }
  return createHmac('sha256', secret).update(s).digest('hex');
}

/** Vonage's SMS API inbound fields, `from` to our number `447700900000` at `atMs`, signed. */
export function vonageSmsInbound(
  from: string,
  text: string,
  atMs: number,
  {
    secret,
    messageId = `0A0000000${randomUUID().slice(0, 8)}`,
  }: { secret: string; messageId?: string },
): Record<string, string> {
  const params: Record<string, string> = {
    msisdn: from.slice(1),
    to: '447700900000',
    messageId,
    text,
    type: 'text',
    keyword: text.toUpperCase(),
    'api-key': 'abcd1234',
    'message-timestamp': new Date(atMs).toISOString().slice(0, 19).replace('T', ' '),
    timestamp: String(Math.floor(atMs / 1000)),
    nonce: randomUUID(),
  };
  return { ...params, sig: vonageSmsSig(params, secret) };
}

/**
 * The JWT Vonage's Messages API signs a webhook with (HS256, the account's signature secret):
 * `payload_hash` is the body's SHA-256, issued at `atMs`, with a `jti` unless `jti: false`.
 */
export function vonageMessagesJwt(
  body: string,
  secret: string,
  atMs: number,
  { jti = true }: { jti?: boolean } = {},
): Promise<string> {
  const token = new SignJWT({
    api_key: 'abcd1234',
    application_id: randomUUID(),
    payload_hash: createHash('sha256').update(body).digest('hex'),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(Math.floor(atMs / 1000));
  return (jti ? token.setJti(randomUUID()) : token).sign(new TextEncoder().encode(secret));
}

/** POSTs `body` and reads the answer: its status, its JSON (undefined if none) and its text. */
export async function post(url: string, body: string, headers: Record<string, string>) {
  const r = await fetch(url, { method: 'POST', body, headers });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  // biome-ignore lint/suspicious/noExplicitAny: JSON of any shape
  return { status: r.status, json: json as any, text };
}
