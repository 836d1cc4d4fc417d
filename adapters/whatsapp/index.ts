/**
 * `phoneproof/whatsapp`: deliver codes as WhatsApp authentication templates through Meta's
 * WhatsApp Cloud API (`whatsappCloudSender`), and read its webhook (`X-Hub-Signature-256`
 * checked) into delivery reports for `verifier.delivery` and inbound STOP/START for the
 * consent ledger (`whatsappWebhookHandler`, or `whatsappWebhook` for any framework).
 *
 * @example
 * ```ts
 * import { whatsappCloudSender } from 'phoneproof/whatsapp';
 * const sender = whatsappCloudSender({
 *   accessToken: process.env.WHATSAPP_TOKEN ?? '',
 *   phoneNumberId: '106540352242922',
 *   apiVersion: 'v23.0',
 *   templates: { en: { name: 'verification_code', language: 'en_US' } },
 * });
 * ```
 * @module
 */
export { whatsappCodeError, whatsappCodes } from '../../src/delivery/whatsapp-codes';
export {
  validateWhatsAppSignature,
  type WhatsAppSignatureInput,
  whatsappSignature,
} from '../../src/delivery/whatsapp-signature';
export {
  parseWhatsAppWebhook,
  type WhatsAppEvents,
  type WhatsAppInbound,
} from '../../src/delivery/whatsapp-status';
export type { WhatsAppTemplates } from '../../src/delivery/whatsapp-templates';
export {
  type WhatsAppWebhookHandlerOptions,
  type WhatsAppWebhookSummary,
  whatsappConsentInput,
  whatsappWebhookHandler,
} from './handler';
export {
  type WhatsAppCloudSenderOptions,
  type WhatsAppCloudTemplate,
  whatsappCloudSender,
} from './sender';
export {
  type WhatsAppWebhook,
  type WhatsAppWebhookOptions,
  type WhatsAppWebhookRequest,
  whatsappWebhook,
} from './webhook';
