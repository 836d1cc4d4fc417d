/**
 * `phoneproof/vonage`: deliver codes through Vonage (SMS API; voice through the Voice API
 * with an application JWT) using `fetch`, and read SMS delivery receipts and call events.
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
