/**
 * `X-Hub-Signature-256` validation for Meta's webhooks (WhatsApp Cloud API): `sha256=`
 * followed by the hex HMAC-SHA256 of the raw request body, keyed with the app secret. The
 * body must be the bytes Meta sent (not re-serialized JSON: Meta escapes non-ASCII as
 * `\uXXXX`); the comparison is constant-time and every candidate secret is compared.
 * @module
 */
import { hmacText } from '../crypto';
import { digestEquals } from '../secrets';

const PREFIX = 'sha256=';

/** The `X-Hub-Signature-256` value Meta computes for `body` (`sha256=<hex>`). */
export function whatsappSignature(appSecret: string, body: string | Uint8Array): string {
  return `${PREFIX}${hmacText('sha256', appSecret, body, 'hex')}`;
}

export interface WhatsAppSignatureInput {
  /** The Meta app's secret; a list accepts any (rotation). */
  readonly appSecret: string | readonly string[];
  /** The `X-Hub-Signature-256` header. */
  readonly signature: string | undefined | null;
  /** The raw request body, exactly as received. */
  readonly body: string | Uint8Array;
}

/** True when the body was signed with one of the app secrets. */
export function validateWhatsAppSignature(input: WhatsAppSignatureInput): boolean {
  const { signature } = input;
  if (typeof signature !== 'string' || !/^sha256=[0-9a-fA-F]{64}$/.test(signature)) return false;
  const secrets = typeof input.appSecret === 'string' ? [input.appSecret] : input.appSecret;
  const given = signature.toLowerCase();
  let valid = false;
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue;
    // No early exit: every secret is compared, so timing does not reveal which matched.
    if (digestEquals(whatsappSignature(secret, input.body), given)) valid = true;
  }
  return valid;
}
