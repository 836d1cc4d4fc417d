/**
 * `phoneproof/vonage`: deliver codes through Vonage (SMS API; voice through the Voice API
 * with an application JWT) using `fetch`, and authenticate and read its delivery webhooks
 * (`vonageStatusWebhook`, `vonageReceiptWebhook`, `vonageCallWebhook`).
 *
 * @example
 * ```ts
 * import { vonageSender } from 'phoneproof/vonage';
 * const sender = vonageSender({ apiKey, apiSecret, from: 'Acme' });
 * ```
 * @module
 */
export { vonageReceiptCodes, vonageSendStatus } from '../../src/delivery/vonage-codes';
export { parseVonageMessageStatus } from '../../src/delivery/vonage-messages-status';
export {
  type VonageSignatureMethod,
  validateVonageJwt,
  validateVonageSignature,
  vonageSignature,
} from '../../src/delivery/vonage-signature';
export { parseVonageCallEvent, parseVonageReceipt } from '../../src/delivery/vonage-status';
export {
  type VonageSenderOptions,
  type VonageVoiceOptions,
  type VonageWhatsAppOptions,
  vonageSender,
} from './sender';
export {
  type VonageCallRequest,
  type VonageJwtWebhookOptions,
  type VonageReceiptRequest,
  type VonageReceiptWebhookOptions,
  type VonageSignedRequest,
  type VonageWebhookHeaders,
  vonageCallWebhook,
  vonageReceiptWebhook,
  vonageStatusWebhook,
} from './webhook';
