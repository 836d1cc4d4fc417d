/**
 * `twilioStatusWebhook`: checks a status callback's signature, then parses it into a
 * delivery report. Framework-free: pass the public URL, the header and the form fields.
 * @module
 */
import { err, type Result } from 'neverthrow';
import type { DeliveryReport, WebhookParams } from '../../src/delivery/report';
import { validateTwilioSignature } from '../../src/delivery/twilio-signature';
import { parseTwilioStatus } from '../../src/delivery/twilio-status';
import { type VerifyError, verifyError } from '../../src/errors';

export interface TwilioWebhookRequest {
  /** The full public URL Twilio requested (scheme, host, path, query). */
  readonly url: string;
  /** The `X-Twilio-Signature` header. */
  readonly signature: string | undefined | null;
  /** The parsed `application/x-www-form-urlencoded` body. */
  readonly params: WebhookParams;
}

/**
 * Returns a function that validates and parses one status callback. A missing or wrong
 * signature is `invalid_request` (answer 403 and do not act on the body).
 */
export function twilioStatusWebhook(options: {
  /** Auth token(s) of the account; a list accepts any (rotation). */
  readonly authToken: string | readonly string[];
}): (req: TwilioWebhookRequest) => Result<DeliveryReport, VerifyError> {
  const tokens = typeof options?.authToken === 'string' ? [options.authToken] : options?.authToken;
  if (!tokens || tokens.length === 0 || tokens.some((t) => typeof t !== 'string' || t === '')) {
    throw new TypeError('phoneproof/twilio: twilioStatusWebhook needs authToken.');
  }
  return (req) => {
    const valid = validateTwilioSignature({
      authToken: tokens,
      signature: req.signature,
      url: req.url,
      params: req.params,
    });
    if (!valid) {
      return err(
        verifyError('invalid_request', {
          message: 'The X-Twilio-Signature header is missing or does not match.',
        }),
      );
    }
    return parseTwilioStatus(req.params, req.url);
  };
}
