/**
 * `whatsappWebhook`: Meta's webhook for the WhatsApp Cloud API, framework-free. `handshake`
 * answers the GET verification request (`hub.mode=subscribe`, `hub.verify_token`,
 * `hub.challenge`); `read` checks a notification's `X-Hub-Signature-256` over the raw body and
 * only then parses it into delivery reports and inbound text messages. An unsigned or badly
 * signed notification is `signature_invalid` and is not parsed.
 * @module
 */
import { err, ok, type Result } from 'neverthrow';
import { validateWhatsAppSignature } from '../../src/delivery/whatsapp-signature';
import { parseWhatsAppWebhook, type WhatsAppEvents } from '../../src/delivery/whatsapp-status';
import { digestEquals } from '../../src/digests';
import { type VerifyError, verifyError } from '../../src/errors';

export interface WhatsAppWebhookOptions {
  /** The Meta app's secret (App settings → Basic); a list accepts any (rotation). */
  readonly appSecret: string | readonly string[];
  /** The verify token typed into the webhook settings; without it every handshake is refused. */
  readonly verifyToken?: string | undefined;
  /**
   * The business phone number ids (`phone_number_id`) this verifier sends from: changes for
   * any other number of the same Meta app are ignored (their statuses and keywords are not
   * this verifier's). Omitted: every number of the app. Set it when one app serves several
   * numbers or tenants.
   */
  readonly phoneNumberIds?: readonly string[] | undefined;
}

export interface WhatsAppWebhookRequest {
  /** The raw body, exactly as received (not re-serialized JSON). */
  readonly body: string | Uint8Array;
  /** The `X-Hub-Signature-256` header. */
  readonly signature: string | undefined | null;
}

export interface WhatsAppWebhook {
  /** The GET handshake: the `hub.challenge` to answer with 200, or `forbidden` (403). */
  handshake(query: URLSearchParams): Result<string, VerifyError>;
  /** A POST notification: its events once the signature checks, else `signature_invalid`. */
  read(request: WhatsAppWebhookRequest): Result<WhatsAppEvents, VerifyError>;
}

const fail = (message: string): never => {
  throw new TypeError(`phoneproof/whatsapp: ${message}`);
};

/** Checks the options once; throws on misconfiguration. */
export function whatsappWebhook(options: WhatsAppWebhookOptions): WhatsAppWebhook {
  const given = options?.appSecret;
  const secrets = typeof given === 'string' ? [given] : given;
  if (!Array.isArray(secrets) || secrets.length === 0) fail('appSecret is required.');
  if (secrets.some((s) => typeof s !== 'string' || s.length < 16)) {
    fail('appSecret must be the app secret (at least 16 characters).');
  }
  const verifyToken = options.verifyToken;
  if (verifyToken !== undefined && (typeof verifyToken !== 'string' || verifyToken.length < 16)) {
    fail('verifyToken must be at least 16 characters.');
  }
  const ids = options.phoneNumberIds;
  if (
    ids !== undefined &&
    (!Array.isArray(ids) || ids.length === 0 || ids.some((i) => !/^\d{1,32}$/.test(String(i))))
  ) {
    fail('phoneNumberIds must be a non-empty list of phone number ids (digits).');
  }
  return {
    handshake(query) {
      const token = query.get('hub.verify_token');
      const challenge = query.get('hub.challenge');
      const valid =
        verifyToken !== undefined &&
        query.get('hub.mode') === 'subscribe' &&
        token !== null &&
        digestEquals(token, verifyToken) &&
        challenge !== null &&
        /^[\x21-\x7e]{1,256}$/.test(challenge);
      return valid ? ok(challenge) : err(verifyError('forbidden'));
    },
    read(request) {
      if (!validateWhatsAppSignature({ appSecret: secrets, ...request })) {
        return err(
          verifyError('signature_invalid', {
            message: 'The X-Hub-Signature-256 header is missing or does not match.',
          }),
        );
      }
      const text =
        typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch {
        return err(verifyError('invalid_request', { message: 'The body is not JSON.' }));
      }
      return parseWhatsAppWebhook(payload, options.phoneNumberIds);
    },
  };
}
