/**
 * `phoneproof/twilio`: deliver codes through Twilio (SMS via the Messages API, voice via the
 * Calls API with inline TwiML) using `fetch`, and read Twilio's status callbacks after
 * checking their `X-Twilio-Signature`.
 *
 * @example
 * ```ts
 * import { twilioSender, twilioStatusWebhook } from 'phoneproof/twilio';
 * const sender = twilioSender({ accountSid, authToken, from: '+15005550006' });
 * ```
 * @module
 */
export { TWILIO_OPT_OUT_CODES, twilioCodes } from '../../src/delivery/twilio-codes';
export {
  type TwilioSignatureInput,
  twilioSignature,
  validateTwilioSignature,
} from '../../src/delivery/twilio-signature';
export { parseTwilioStatus } from '../../src/delivery/twilio-status';
export { type TwilioSenderOptions, twilioSender } from './sender';
export { type TwilioWebhookRequest, twilioStatusWebhook } from './webhook';
