/**
 * Signed requests between trusted systems (the reference endpoint's systemId + signature):
 * `signRequest` on the caller, `verifyRequestSignature` / `requestSignatureCheck` on the
 * server. See `docs/signed-requests.md`.
 * @module
 */
export {
  bodyDigest,
  MIN_SYSTEM_SECRET_BYTES,
  SIGNATURE_HEADER,
  type SignedHeaders,
  type SignRequestInput,
  SYSTEM_HEADER,
  signRequest,
  TIMESTAMP_HEADER,
} from './sign';
export {
  DEFAULT_SKEW_MS,
  type RequestSignatureCheck,
  requestSignatureCheck,
  type SignatureOptions,
  type SignedCaller,
  type SignedRequest,
  verifyRequestSignature,
} from './verify';
