/**
 * Maps Fastify's own request errors (body parsing, content type, size) to catalog
 * responses. Their messages are never forwarded: they can quote the input. @internal
 * @module
 */
import type { FastifyError } from 'fastify';
import type { VerifyError } from '../../src/errors';
import { bodyError } from '../../src/http/errors';

/** The response for an input error Fastify raised; undefined for anything else. */
export function frameworkErrorOf(error: FastifyError): VerifyError | undefined {
  const code = typeof error.code === 'string' ? error.code : '';
  if (!code.startsWith('FST_ERR_CTP_') && code !== 'FST_ERR_VALIDATION') return undefined;
  return bodyError(error.statusCode ?? 400);
}

/** The error a JSON body in another charset than UTF-8 is refused with (415). */
export function unsupportedCharset(): Error {
  return Object.assign(new Error('Unsupported charset: JSON bodies must be UTF-8.'), {
    statusCode: 415,
    code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
  });
}
