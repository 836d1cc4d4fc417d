/**
 * Provider requests for the inbound-webhook attack tests, as the providers send them: Twilio's
 * inbound-message form fields, the JWT Vonage's Messages API puts in `Authorization` over a
 * body, and a POST that reads the answer's JSON back. One statement of each, for every attack
 * file that forges or replays them.
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
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
