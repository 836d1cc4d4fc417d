/**
 * A system secret given as bytes is those bytes, and one given as text is its UTF-8 bytes:
 * the client and the server may hold the same secret in either form (an environment variable
 * on one side, bytes from a vault on the other), and the signature is the documented
 * HMAC-SHA256 under those bytes (re-derived here with node:crypto).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { SIGNATURE_HEADER, signRequest, verifyRequestSignature } from '../../src/signatures/index';

const T = 1_700_000_000_000;

/** The documented signature (docs/signed-requests.md), re-derived. */
function expected(key: Uint8Array, body: string): string {
  const digest = createHash('sha256').update(body).digest('base64url');
  const canonical = ['phoneproof-v1', 'crm', String(T), 'POST', '/v', digest].join('\n');
  return `v1=${createHmac('sha256', key).update(canonical).digest('base64url')}`;
}

describe('system secrets as text or bytes', () => {
  it('signs under the bytes given, or under the UTF-8 bytes of the text given', () => {
    const bytes = randomBytes(32);
    const text = 'crm-secret-é-0123456789abcdefghij';
    for (const [secret, key] of [
      [bytes, bytes],
      [text, Buffer.from(text, 'utf8')],
    ] as const) {
      const headers = signRequest({
        systemId: 'crm',
        secret,
        method: 'POST',
        path: '/v',
        body: '{}',
        timestamp: T,
      });
      expect(headers[SIGNATURE_HEADER]).toBe(expected(key, '{}'));
    }
  });

  it('a secret held as text on one side and as its bytes on the other verifies', async () => {
    const text = 'crm-secret-é-0123456789abcdefghij';
    const bytes = new Uint8Array(Buffer.from(text, 'utf8'));
    for (const [client, server] of [
      [text, bytes],
      [bytes, text],
    ] as const) {
      const headers = signRequest({
        systemId: 'crm',
        secret: client,
        method: 'POST',
        path: '/v',
        body: '{}',
        timestamp: T,
      });
      const result = await verifyRequestSignature(
        { method: 'POST', path: '/v', body: '{}', headers: { ...headers } },
        { systems: { crm: server }, store: memoryStore({ now: () => T }), now: () => T },
      );
      expect(result._unsafeUnwrap()).toEqual({ systemId: 'crm', timestamp: T });
    }
  });
});
