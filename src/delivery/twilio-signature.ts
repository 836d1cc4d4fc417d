/**
 * `X-Twilio-Signature` validation (https://www.twilio.com/docs/usage/webhooks/webhooks-security):
 * base64 of HMAC-SHA1, keyed with the auth token, over the full callback URL followed by
 * every POST parameter's name and value, sorted by name (repeated names: each distinct value,
 * sorted). JSON bodies are signed through a `bodySHA256` query parameter instead. Twilio is
 * inconsistent about default ports, so the URL is tried with and without one.
 *
 * What the signature does not pin down, so a reader of signed fields must: a repeated name
 * with the same value signs like one (`MessageSid=SMx&MessageSid=SMx`), and names and values
 * are concatenated with no separator (`MessageSid` + `SMx…` signs like `MessageSidS` +
 * `Mx…`), so a value can absorb the next names (`FromA=From+1415…` signs like a second
 * `From`). Reading each field once by its exact name is not enough: read a request only
 * when every name is documented and every value has its shape (`./twilio-params.ts`, used
 * by the inbound webhook and `twilioStatusWebhook`).
 * @module
 */
import { hash, hmacText, toHex } from '../crypto';
import { digestEquals } from '../secrets';
import { paramMap, type WebhookParams } from './report';

/** The signature Twilio computes for `url` and form `params`. */
export function twilioSignature(authToken: string, url: string, params: WebhookParams): string {
  const map = paramMap(params);
  let data = url;
  for (const name of [...map.keys()].sort()) {
    for (const value of [...new Set(map.get(name))].sort()) data += name + value;
  }
  return hmacText('sha1', authToken, data, 'base64');
}

function urlVariants(url: string): string[] {
  const out = new Set<string>([url]);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [...out];
  }
  const normalized = u.toString();
  out.add(normalized);
  if (u.port === '') {
    const port = u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '';
    if (port) {
      const auth = u.username ? `${u.username}${u.password ? `:${u.password}` : ''}@` : '';
      out.add(`${u.protocol}//${auth}${u.host}:${port}${u.pathname}${u.search}${u.hash}`);
    }
  } else {
    const bare = new URL(normalized);
    bare.port = '';
    out.add(bare.toString());
  }
  return [...out];
}

export interface TwilioSignatureInput {
  /** The account's auth token; a list accepts any (token rotation). */
  readonly authToken: string | readonly string[];
  /** The `X-Twilio-Signature` header. */
  readonly signature: string | undefined | null;
  /**
   * The full URL Twilio requested, as configured (scheme, host, path and query). Behind a
   * proxy, rebuild it from the public URL, not from the internal one.
   */
  readonly url: string;
  /** Form parameters of a `application/x-www-form-urlencoded` POST (or the GET query). */
  readonly params?: WebhookParams;
  /** The raw body of a JSON POST (the URL then carries `bodySHA256`). */
  readonly body?: string;
}

/** True when the request was signed by Twilio with one of the auth tokens. */
export function validateTwilioSignature(input: TwilioSignatureInput): boolean {
  const { signature, url } = input;
  if (typeof signature !== 'string' || signature === '' || typeof url !== 'string') return false;
  const tokens = typeof input.authToken === 'string' ? [input.authToken] : input.authToken;
  let bodyHash: string | null = null;
  try {
    bodyHash = new URL(url).searchParams.get('bodySHA256');
  } catch {
    return false;
  }
  const params: WebhookParams = bodyHash !== null ? {} : (input.params ?? {});
  if (bodyHash !== null) {
    if (typeof input.body !== 'string') return false;
    const actual = toHex(hash('sha256', input.body));
    if (!digestEquals(actual, bodyHash.toLowerCase())) return false;
  }
  let valid = false;
  for (const token of tokens) {
    if (typeof token !== 'string' || token === '') continue;
    for (const variant of urlVariants(url)) {
      // No early exit: every candidate is compared, so timing does not reveal which matched.
      if (digestEquals(twilioSignature(token, variant, params), signature)) valid = true;
    }
  }
  return valid;
}
