/**
 * `twilioStatusWebhook`: checks a status callback's signature, then parses it into a
 * delivery report. Framework-free: pass the public URL, the header and the form fields.
 * @module
 */
import { err, type Result } from 'neverthrow';
import type { DeliveryReport, WebhookParams } from '../../src/delivery/report';
import { extraParamsProblem, twilioParamsProblem } from '../../src/delivery/twilio-params';
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
 * signature is `invalid_request` (answer 403 and do not act on the body), and so is a
 * parameter Twilio does not document or a value not of its shape (a re-split of the signed
 * string, `src/delivery/twilio-params.ts`).
 */
export function twilioStatusWebhook(options: {
  /** Auth token(s) of the account; a list accepts any (rotation). */
  readonly authToken: string | readonly string[];
  /**
   * Parameter names Twilio may add beyond the ones it documents for status callbacks (a
   * callback carrying an unknown name is refused): read as free text, sorted after `From`.
   */
  readonly extraParams?: readonly string[];
}): (req: TwilioWebhookRequest) => Result<DeliveryReport, VerifyError> {
  const tokens = typeof options?.authToken === 'string' ? [options.authToken] : options?.authToken;
  if (!tokens || tokens.length === 0 || tokens.some((t) => typeof t !== 'string' || t === '')) {
    throw new TypeError('phoneproof/twilio: twilioStatusWebhook needs authToken.');
  }
  const extraProblem = extraParamsProblem(options.extraParams);
  if (extraProblem !== undefined) {
    throw new TypeError(`phoneproof/twilio: twilioStatusWebhook extraParams ${extraProblem}.`);
  }
  const extra = options.extraParams ?? [];
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
    // The boundaries between names and values are not signed (`ErrorCode=30006` signs like
    // `ErrorCode3=0006`): only documented names with values of their shapes are read.
    const problem = twilioParamsProblem('status', req.params, extra);
    if (problem !== undefined) {
      return err(verifyError('invalid_request', { message: `The status callback ${problem}.` }));
    }
    return parseTwilioStatus(req.params, req.url);
  };
}
