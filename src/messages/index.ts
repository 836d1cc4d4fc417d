/**
 * `phoneproof/messages`: what a code is sent in and what people reply. Templates and
 * renderers (`createRenderer`), SMS encoding (`smsInfo`), voice lines, Web OTP origin-bound
 * lines, and the consent keywords of inbound replies (`parseKeyword`).
 * @module
 */

export { consentKeywords, type KeywordAction, parseKeyword } from '../consent/keywords';
export { BUILTIN_TEMPLATES, builtinLocales, type LocaleStrings } from './catalog';
export { defaultRenderer, type MessageContext, type MessageRenderer } from './render';
export {
  createRenderer,
  type LocalizedTemplate,
  type RenderedMessage,
  type RendererOptions,
  type Template,
  type TemplateRenderer,
} from './renderer';
export { isGsm7, type SmsEncoding, type SmsInfo, smsInfo, toGsm7 } from './sms-encoding';
export { spokenCode, ttsLanguage, voiceLines } from './voice';
export {
  type OriginBoundCode,
  originBoundLine,
  parseOriginBoundCode,
  type WebOtpOptions,
} from './webotp';
